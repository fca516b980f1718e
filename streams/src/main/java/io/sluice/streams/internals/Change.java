package io.sluice.streams.internals;

/**
 * What a table's processors forward to each other: the key's new value and the value it replaced, so that a
 * downstream aggregation can take the old value out before it adds the new one (Kafka Streams' {@code Change}).
 * {@link io.sluice.streams.KTable#toStream()} keeps only the new value. Not part of the API.
 *
 * @param newValue the key's value now; null when the key was deleted.
 * @param oldValue the key's value before; null when the key is new.
 * @param <V>      value type.
 */
public record Change<V>(V newValue, V oldValue)
{
}
