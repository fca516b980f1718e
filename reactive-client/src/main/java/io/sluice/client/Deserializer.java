package io.sluice.client;

/**
 * Turns the bytes of a record's key or value back into an object. Implementations must be thread-safe: a consumer
 * calls them on its client's I/O thread.
 *
 * @param <T> type deserialized.
 */
@FunctionalInterface
public interface Deserializer<T>
{
    /**
     * @param topic the record came from.
     * @param data  the bytes, or {@code null} for a null key or value.
     * @return the object; may be {@code null}.
     */
    T deserialize(String topic, byte[] data);
}
