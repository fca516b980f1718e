package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.Serde;
import io.sluice.streams.Window;
import io.sluice.streams.Windowed;

import java.nio.ByteBuffer;

/**
 * A session-windowed key as bytes: the key's bytes, then the session's end and its start, each 8 big-endian bytes
 * (Kafka Streams' session key layout). Sessions have no fixed size, so both ends are written. Used by session
 * stores' changelogs and by streams of session results. Not part of the API.
 *
 * @param <K> key type.
 */
public final class SessionWindowedSerde<K> implements Serde<Windowed<K>>
{
    private static final int TIMES = 2 * Long.BYTES;

    private final Serde<K> inner;

    /**
     * @param inner the key's serde.
     */
    public SessionWindowedSerde(final Serde<K> inner)
    {
        this.inner = inner;
    }

    public Serializer<Windowed<K>> serializer()
    {
        final Serializer<K> keySerializer = inner.serializer();
        return (topic, windowed) ->
        {
            if (null == windowed)
            {
                return null;
            }
            final byte[] key = keySerializer.serialize(topic, windowed.key());
            final byte[] keyBytes = null == key ? new byte[0] : key;
            return ByteBuffer.allocate(keyBytes.length + TIMES)
                .put(keyBytes)
                .putLong(windowed.window().end())
                .putLong(windowed.window().start())
                .array();
        };
    }

    public Deserializer<Windowed<K>> deserializer()
    {
        final Deserializer<K> keyDeserializer = inner.deserializer();
        return (topic, bytes) ->
        {
            if (null == bytes)
            {
                return null;
            }
            if (bytes.length < TIMES)
            {
                throw new IllegalArgumentException("a session key has at least 16 bytes, not " + bytes.length);
            }
            final byte[] key = new byte[bytes.length - TIMES];
            System.arraycopy(bytes, 0, key, 0, key.length);
            final ByteBuffer times = ByteBuffer.wrap(bytes, key.length, TIMES);
            final long end = times.getLong();
            final long start = times.getLong();
            if (end < start)
            {
                throw new IllegalArgumentException("corrupt session key: it ends at " + end + " before its start " +
                    start);
            }
            return new Windowed<>(keyDeserializer.deserialize(topic, key), new Window(start, end));
        };
    }
}
