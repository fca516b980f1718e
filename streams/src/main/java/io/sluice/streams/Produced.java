package io.sluice.streams;

import java.util.Objects;

/**
 * How a stream is written to a topic: the serdes of its keys and values. Records go to the partition of their key's
 * hash (the producer's default partitioning); a null key goes to the task's own partition number modulo the topic's.
 *
 * @param keySerde   of the keys.
 * @param valueSerde of the values.
 * @param <K>        key type.
 * @param <V>        value type.
 */
public record Produced<K, V>(Serde<K> keySerde, Serde<V> valueSerde)
{
    public Produced
    {
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }

    /**
     * @return the serdes.
     */
    public static <K, V> Produced<K, V> with(final Serde<K> keySerde, final Serde<V> valueSerde)
    {
        return new Produced<>(keySerde, valueSerde);
    }
}
