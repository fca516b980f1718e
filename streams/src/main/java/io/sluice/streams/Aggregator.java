package io.sluice.streams;

/**
 * Folds a record into its key's aggregate.
 *
 * @param <K>  key type.
 * @param <V>  value type.
 * @param <VA> aggregate type.
 */
@FunctionalInterface
public interface Aggregator<K, V, VA>
{
    /**
     * @param key       the group's key.
     * @param value     the record's value.
     * @param aggregate so far (the initializer's value for a new key).
     * @return the new aggregate.
     */
    VA apply(K key, V value, VA aggregate);
}
