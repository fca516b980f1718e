package io.sluice.streams;

import java.util.Objects;

/**
 * How a source topic is read: the serdes of its keys and values, and its event time.
 *
 * @param keySerde           of the keys.
 * @param valueSerde         of the values.
 * @param timestampExtractor event time.
 * @param <K>                key type.
 * @param <V>                value type.
 */
public record Consumed<K, V>(Serde<K> keySerde, Serde<V> valueSerde, TimestampExtractor timestampExtractor)
{
    public Consumed
    {
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(timestampExtractor, "timestampExtractor");
    }

    /**
     * @return the serdes, with the record timestamp as event time.
     */
    public static <K, V> Consumed<K, V> with(final Serde<K> keySerde, final Serde<V> valueSerde)
    {
        return new Consumed<>(keySerde, valueSerde, TimestampExtractor.recordTimestamp());
    }

    /**
     * @return these serdes with another event time.
     */
    public Consumed<K, V> withTimestampExtractor(final TimestampExtractor extractor)
    {
        return new Consumed<>(keySerde, valueSerde, extractor);
    }
}
