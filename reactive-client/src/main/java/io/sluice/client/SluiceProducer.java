package io.sluice.client;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends records to a broker. Thread-safe: any number of sends may run at once, over the client's one connection.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface SluiceProducer<K, V>
{
    /**
     * Send every record of {@code records}, emitting one {@link SendResult} per record as the broker acknowledges
     * it (in order within a partition). The upstream is requested {@link ProducerOptions#maxInFlight()} records at
     * first and one more for each result the downstream takes, so a slow broker or a slow downstream slows the
     * upstream instead of filling memory.
     * <p>
     * Records are serialized on the thread that emits them; results are emitted on the client's I/O thread, which
     * must not be blocked (use {@code publishOn} for slow work). With {@link ProducerOptions#stopOnError()} the
     * first failure ends the Flux with a {@link SluiceException} and cancels the upstream.
     *
     * @param records to send.
     * @param <T>     correlation metadata type.
     * @return the results; nothing is sent before it is subscribed to.
     */
    <T> Flux<SendResult<T>> send(Publisher<? extends ProducerRecord<K, V, T>> records);

    /**
     * Send one record.
     *
     * @param record to send.
     * @param <T>    correlation metadata type.
     * @return its result; fails with a {@link SluiceException} if the record is not sent.
     */
    <T> Mono<SendResult<T>> send(ProducerRecord<K, V, T> record);
}
