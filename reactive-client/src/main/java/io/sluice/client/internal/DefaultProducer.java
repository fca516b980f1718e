package io.sluice.client.internal;

import io.sluice.client.Acks;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.SluiceProducer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * The producer: each {@code send} subscription is a {@link ProducerFlow} on the client's agent. The partitioner and
 * the idempotent identity (producer id, sequences) are shared by the producer's sends and used on the agent thread
 * only.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
final class DefaultProducer<K, V> implements SluiceProducer<K, V>
{
    private final ClientAgent agent;
    private final ProducerOptions<K, V> options;
    private final Partitioner partitioner;
    private final ProducerIdentity identity;

    DefaultProducer(final ClientAgent agent, final ProducerOptions<K, V> options)
    {
        this.agent = agent;
        this.options = Objects.requireNonNull(options, "options");
        this.partitioner = new Partitioner(options.partitioning());
        // As Kafka's, idempotence needs acknowledgements: without them a refused batch would go unnoticed and its
        // gap would get every later batch of the partition refused.
        this.identity = options.idempotence() && options.acks() != Acks.NONE ? new ProducerIdentity() : null;
    }

    public <T> Flux<SendResult<T>> send(final Publisher<? extends ProducerRecord<K, V, T>> records)
    {
        Objects.requireNonNull(records, "records");
        return Flux.create((FluxSink<SendResult<T>> sink) ->
        {
            if (agent.isClosed())
            {
                sink.error(Errors.connection("the client is closed"));
                return;
            }
            final ProducerFlow<K, V, T> flow = new ProducerFlow<>(agent, options, partitioner, identity, sink);
            sink.onCancel(flow::onDownstreamCancel);
            records.subscribe(flow);
        }, FluxSink.OverflowStrategy.ERROR);
    }

    public <T> Mono<SendResult<T>> send(final ProducerRecord<K, V, T> record)
    {
        Objects.requireNonNull(record, "record");
        return send(Mono.just(record))
            .next()
            .flatMap((result) -> result.isSuccess() ? Mono.just(result) : Mono.error(result.exception()));
    }
}
