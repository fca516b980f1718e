package io.sluice.connect.runtime;

import io.sluice.client.SluiceClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates the topics connectors use when they are missing (Sluice brokers create no topic by themselves), with the
 * worker's {@code topic.creation.default.partitions} and {@code topic.creation.default.replication.factor}, as Kafka
 * Connect's topic creation for source connectors does. Thread-safe.
 */
final class TopicCreator
{
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SluiceClient client;
    private final int partitions;
    private final int replicationFactor;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    TopicCreator(final SluiceClient client, final int partitions, final int replicationFactor)
    {
        this.client = client;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
    }

    /**
     * @param topic to make sure of.
     */
    void ensure(final String topic)
    {
        if (known.contains(topic))
        {
            return;
        }
        try
        {
            client.admin().describeTopic(topic).block(TIMEOUT);
        }
        catch (final RuntimeException missing)
        {
            try
            {
                client.admin().createTopic(topic, partitions, replicationFactor, Map.of()).block(TIMEOUT);
                LOG.info("created topic {} with {} partition(s)", topic, partitions);
            }
            catch (final RuntimeException ex)
            {
                // Another task may have created it meanwhile; if not, the describe below says so.
                client.admin().describeTopic(topic).block(TIMEOUT);
            }
        }
        known.add(topic);
    }
}
