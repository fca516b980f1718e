package io.sluice.streams;

import java.util.Objects;

/**
 * How a grouped stream's records are serialized when they go through a repartition topic (after a key change) and
 * into its aggregation's store.
 *
 * @param keySerde   of the grouping keys.
 * @param valueSerde of the values.
 * @param name       names the repartition topic ({@code <application id>-<name>-repartition}); null for a generated
 *                   name.
 * @param <K>        key type.
 * @param <V>        value type.
 */
public record Grouped<K, V>(Serde<K> keySerde, Serde<V> valueSerde, String name)
{
    public Grouped
    {
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }

    /**
     * @return the serdes, with a generated name.
     */
    public static <K, V> Grouped<K, V> with(final Serde<K> keySerde, final Serde<V> valueSerde)
    {
        return new Grouped<>(keySerde, valueSerde, null);
    }

    /**
     * @return these serdes under a name.
     */
    public Grouped<K, V> withName(final String name)
    {
        return new Grouped<>(keySerde, valueSerde, name);
    }
}
