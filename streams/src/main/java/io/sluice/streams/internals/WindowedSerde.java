package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.Serde;
import io.sluice.streams.Window;
import io.sluice.streams.Windowed;

import java.nio.ByteBuffer;

/**
 * A windowed key as bytes: the key's bytes, then the window start as 8 big-endian bytes; the end is the start plus
 * the windows' size. Used by windowed stores' changelogs and by streams of windowed results. Not part of the API.
 *
 * @param <K> key type.
 */
public final class WindowedSerde<K> implements Serde<Windowed<K>>
{
    private final Serde<K> inner;
    private final long sizeMs;

    /**
     * @param inner  the key's serde.
     * @param sizeMs the windows' size.
     */
    public WindowedSerde(final Serde<K> inner, final long sizeMs)
    {
        this.inner = inner;
        this.sizeMs = sizeMs;
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
            final int keyLength = null == key ? 0 : key.length;
            return ByteBuffer.allocate(keyLength + Long.BYTES)
                .put(null == key ? new byte[0] : key)
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
            if (bytes.length < Long.BYTES)
            {
                throw new IllegalArgumentException("a windowed key has at least 8 bytes, not " + bytes.length);
            }
            final byte[] key = new byte[bytes.length - Long.BYTES];
            System.arraycopy(bytes, 0, key, 0, key.length);
            final long start = ByteBuffer.wrap(bytes, key.length, Long.BYTES).getLong();
            return new Windowed<>(keyDeserializer.deserialize(topic, key), new Window(start, start + sizeMs));
        };
    }
}
