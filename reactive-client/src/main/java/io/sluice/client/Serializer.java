package io.sluice.client;

/**
 * Turns a key or value into the bytes a record carries. Implementations must be thread-safe: a producer calls them
 * on the thread that emits its records.
 *
 * @param <T> type serialized.
 */
@FunctionalInterface
public interface Serializer<T>
{
    /**
     * @param topic the record goes to.
     * @param data  to serialize; may be {@code null}.
     * @return the bytes, or {@code null} for a null key or value (a null value is a compaction tombstone).
     */
    byte[] serialize(String topic, T data);
}
