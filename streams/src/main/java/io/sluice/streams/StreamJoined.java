package io.sluice.streams;

import java.util.Objects;

/**
 * The serdes of a stream-stream join's two buffers (each side's records are kept, and logged, for the other side).
 *
 * @param keySerde        of the shared key.
 * @param valueSerde      of this stream's values.
 * @param otherValueSerde of the other stream's values.
 * @param <K>             key type.
 * @param <V>             this stream's value type.
 * @param <VO>            the other stream's value type.
 */
public record StreamJoined<K, V, VO>(Serde<K> keySerde, Serde<V> valueSerde, Serde<VO> otherValueSerde)
{
    public StreamJoined
    {
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(otherValueSerde, "otherValueSerde");
    }

    /**
     * @return the serdes.
     */
    public static <K, V, VO> StreamJoined<K, V, VO> with(final Serde<K> keySerde, final Serde<V> valueSerde,
        final Serde<VO> otherValueSerde)
    {
        return new StreamJoined<>(keySerde, valueSerde, otherValueSerde);
    }
}
