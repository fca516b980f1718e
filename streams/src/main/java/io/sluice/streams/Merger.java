package io.sluice.streams;

/**
 * Combines the aggregates of two sessions that a record joins into one.
 *
 * @param <K>  key type.
 * @param <VA> aggregate type.
 */
@FunctionalInterface
public interface Merger<K, VA>
{
    /**
     * @param key    the group's key.
     * @param first  the aggregate so far (the initializer's value for the first session merged).
     * @param second the next session's aggregate.
     * @return the merged aggregate.
     */
    VA apply(K key, VA first, VA second);
}
