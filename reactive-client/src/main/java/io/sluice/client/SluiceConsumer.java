package io.sluice.client;

import reactor.core.publisher.Flux;

/**
 * Receives records from a broker. Each call to a {@code receive} method returns a cold Flux: each subscription
 * opens its own fetch sessions and positions as {@link ConsumerOptions} says, and closes them when it ends.
 * <p>
 * Demand reaches the broker: the subscription grants the broker credit (in bytes) only while its subscriber has
 * requested more records than the client holds, and never more than {@link ConsumerOptions#maxBufferedBytes()}
 * held and granted together. A subscriber that stops requesting stops the broker sending.
 * <p>
 * Records are emitted on the client's I/O thread, which must not be blocked (use {@code publishOn} for slow work).
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface SluiceConsumer<K, V>
{
    /**
     * Records to be acknowledged by the application: with a group, the offsets after acknowledged records are
     * committed every {@link ConsumerOptions#commitInterval()} and when the subscription ends, in order, never past
     * an unacknowledged record (at least once).
     *
     * @return the records.
     */
    Flux<ConsumerRecord<K, V>> receive();

    /**
     * Records acknowledged as soon as the subscriber's {@code onNext} returns: at least once for a subscriber that
     * processes each record before returning.
     *
     * @return the records.
     */
    Flux<ConsumerRecord<K, V>> receiveAutoAck();

    /**
     * Records whose offset is committed before they are emitted: a record is never delivered twice, and may be lost
     * if the application fails while processing it. Needs a group. Each record waits for its commit.
     *
     * @return the records.
     */
    Flux<ConsumerRecord<K, V>> receiveAtMostOnce();
}
