package io.sluice.streams;

/**
 * The state store behind a table or an aggregation: its name (queryable by it, and naming its changelog topic
 * {@code <application id>-<name>-changelog}) and the serdes its changelog records use.
 *
 * @param storeName  null for a generated name.
 * @param keySerde   null to take the upstream's.
 * @param valueSerde null to take the upstream's (an aggregation must give it when its result type differs).
 * @param <K>        key type.
 * @param <V>        value type.
 */
public record Materialized<K, V>(String storeName, Serde<K> keySerde, Serde<V> valueSerde)
{
    /**
     * @return a store of that name with the upstream's serdes.
     */
    public static <K, V> Materialized<K, V> as(final String storeName)
    {
        return new Materialized<>(storeName, null, null);
    }

    /**
     * @return a store with a generated name and these serdes.
     */
    public static <K, V> Materialized<K, V> with(final Serde<K> keySerde, final Serde<V> valueSerde)
    {
        return new Materialized<>(null, keySerde, valueSerde);
    }

    /**
     * @return a store with a generated name and the upstream's serdes.
     */
    public static <K, V> Materialized<K, V> defaults()
    {
        return new Materialized<>(null, null, null);
    }

    /**
     * @return this with another key serde.
     */
    public Materialized<K, V> withKeySerde(final Serde<K> keySerde)
    {
        return new Materialized<>(storeName, keySerde, valueSerde);
    }

    /**
     * @return this with another value serde.
     */
    public Materialized<K, V> withValueSerde(final Serde<V> valueSerde)
    {
        return new Materialized<>(storeName, keySerde, valueSerde);
    }

    /**
     * @param valueSerde the aggregation's own, for a store given none.
     * @return this if it names a value serde, else this with {@code valueSerde}.
     */
    Materialized<K, V> orValueSerde(final Serde<V> valueSerde)
    {
        return null == this.valueSerde ? withValueSerde(valueSerde) : this;
    }
}
