package io.sluice.client.internal;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.SluiceConsumer;
import io.sluice.codecs.client.ErrorCode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.util.Objects;

/**
 * The consumer: each subscription of a {@code receive} Flux is a {@link ConsumerFlow} on the client's agent.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
final class DefaultConsumer<K, V> implements SluiceConsumer<K, V>
{
    private final ClientAgent agent;
    private final ConsumerOptions<K, V> options;

    DefaultConsumer(final ClientAgent agent, final ConsumerOptions<K, V> options)
    {
        this.agent = agent;
        this.options = Objects.requireNonNull(options, "options");
    }

    public Flux<ConsumerRecord<K, V>> receive()
    {
        return receive(ConsumerFlow.Mode.MANUAL_ACK);
    }

    public Flux<ConsumerRecord<K, V>> receiveAutoAck()
    {
        return receive(ConsumerFlow.Mode.AUTO_ACK);
    }

    public Flux<ConsumerRecord<K, V>> receiveAtMostOnce()
    {
        if (null == options.groupId())
        {
            return Flux.error(Errors.invalid(ErrorCode.INVALID_GROUP, "receiveAtMostOnce needs a group id"));
        }
        return receive(ConsumerFlow.Mode.AT_MOST_ONCE);
    }

    private Flux<ConsumerRecord<K, V>> receive(final ConsumerFlow.Mode mode)
    {
        // The flow emits only within demand, so the sink never has to buffer: ERROR would flag a bug.
        return Flux.create((FluxSink<ConsumerRecord<K, V>> sink) ->
        {
            if (agent.isClosed())
            {
                sink.error(Errors.connection("the client is closed"));
                return;
            }
            final ConsumerFlow<K, V> flow = new ConsumerFlow<>(agent, options, sink, mode);
            sink.onCancel(flow::onDownstreamCancel);
            agent.execute(flow::start);
        }, FluxSink.OverflowStrategy.ERROR);
    }
}
