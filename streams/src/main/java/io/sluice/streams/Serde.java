package io.sluice.streams;

import io.sluice.client.Deserializer;
import io.sluice.client.Serdes;
import io.sluice.client.Serializer;

/**
 * A serializer and a deserializer of one type: how a stream's keys or values, a store's entries, and the records of
 * its changelog and repartition topics become bytes and back. Built on the reactive client's
 * {@link Serializer}/{@link Deserializer}.
 *
 * @param <T> the type.
 */
public interface Serde<T>
{
    Serializer<T> serializer();

    Deserializer<T> deserializer();

    /**
     * @return a serde of the two.
     */
    static <T> Serde<T> of(final Serializer<T> serializer, final Deserializer<T> deserializer)
    {
        return new Serde<>()
        {
            public Serializer<T> serializer()
            {
                return serializer;
            }

            public Deserializer<T> deserializer()
            {
                return deserializer;
            }
        };
    }

    /**
     * @return UTF-8 strings.
     */
    static Serde<String> string()
    {
        return of(Serdes.stringSerializer(), Serdes.stringDeserializer());
    }

    /**
     * @return longs as 8 big-endian bytes (Kafka's layout).
     */
    static Serde<Long> longs()
    {
        return of(Serdes.longSerializer(), Serdes.longDeserializer());
    }

    /**
     * @return bytes as they are.
     */
    static Serde<byte[]> bytes()
    {
        return of(Serdes.bytesSerializer(), Serdes.bytesDeserializer());
    }
}
