package io.sluice.client.internal;

import io.sluice.client.SluiceAdmin;
import io.sluice.client.TopicPartition;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.GroupListing;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Admin operations as Monos: each runs the connection's blocking call on the agent thread when subscribed to.
 */
final class DefaultAdmin implements SluiceAdmin
{
    private final ClientAgent agent;

    DefaultAdmin(final ClientAgent agent)
    {
        this.agent = agent;
    }

    public Mono<Integer> createTopic(
        final String topic, final int partitions, final int replicationFactor, final Map<String, String> configs)
    {
        Objects.requireNonNull(topic, "topic");
        final Map<String, String> copy = Map.copyOf(configs);
        return call((connection) ->
        {
            agent.forgetTopic(topic);
            return connection.createTopic(topic, partitions, replicationFactor, copy);
        });
    }

    public Mono<Void> deleteTopic(final String topic)
    {
        Objects.requireNonNull(topic, "topic");
        return call((connection) ->
        {
            agent.forgetTopic(topic);
            connection.deleteTopic(topic);
            return Boolean.TRUE;
        }).then();
    }

    public Mono<List<TopicDescription>> listTopics()
    {
        return call((connection) -> connection.describeTopics(null, false));
    }

    public Mono<TopicDescription> describeTopic(final String topic)
    {
        Objects.requireNonNull(topic, "topic");
        return call((connection) -> connection.describeTopics(topic, true).get(0));
    }

    public Mono<Long> offsetForTimestamp(final TopicPartition partition, final long timestampMs)
    {
        Objects.requireNonNull(partition, "partition");
        return call((connection) ->
        {
            final TopicMetadata topic = agent.topic(partition.topic());
            final ClientConnection leader = agent.leaderConnection(topic, partition.partition());
            if (null == leader)
            {
                throw Errors.connection("the leader of " + partition + " is not known yet: try again");
            }
            return leader.offsetForTimestamp(topic.topicId(), partition.partition(), timestampMs);
        });
    }

    public Mono<Long> committedOffset(final String groupId, final TopicPartition partition)
    {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(partition, "partition");
        return call((connection) -> agent.requireCoordinator().committedOffset(
            groupId, agent.topic(partition.topic()).topicId(), partition.partition()));
    }

    public Mono<Void> commitOffset(final String groupId, final TopicPartition partition, final long offset)
    {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(partition, "partition");
        return call((connection) ->
        {
            final int topicId = agent.topic(partition.topic()).topicId();
            agent.requireCoordinator().commitOffset(groupId, topicId, partition.partition(), offset);
            return Boolean.TRUE;
        }).then();
    }

    public Mono<List<GroupListing>> listGroups()
    {
        return call((connection) -> agent.requireCoordinator().listGroups());
    }

    public Mono<GroupDescription> describeGroup(final String groupId)
    {
        Objects.requireNonNull(groupId, "groupId");
        return call((connection) -> agent.requireCoordinator().describeGroup(groupId));
    }

    private <R> Mono<R> call(final Function<ClientConnection, R> operation)
    {
        return Mono.create((sink) ->
        {
            if (agent.isClosed())
            {
                sink.error(Errors.connection("the client is closed"));
                return;
            }
            agent.execute(() ->
            {
                try
                {
                    sink.success(operation.apply(agent.connection()));
                }
                catch (final SluiceClientException ex)
                {
                    if (ex.errorCode() == ErrorCode.NOT_COORDINATOR)
                    {
                        agent.coordinatorMoved("the group coordinator moved: " + ex.getMessage());
                    }
                    sink.error(Errors.of(ex));
                }
                catch (final RuntimeException ex)
                {
                    sink.error(Errors.fromThrowable(ex));
                }
            });
        });
    }
}
