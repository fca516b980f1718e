package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.Serde;

import java.nio.ByteBuffer;

/**
 * A {@link Change} as bytes, for the repartition topic of a table's {@code groupBy}:
 * <pre>
 *   0                   4                  4 + n               8 + n
 *   +-------------------+------------------+-------------------+------------------+
 *   | new length n (i32) | new value bytes  | old length m (i32) | old value bytes  |
 *   +-------------------+------------------+-------------------+------------------+
 * </pre>
 * big-endian; a length of -1 stands for null (no bytes follow). Not part of the API.
 *
 * @param <V> value type.
 */
public final class ChangeSerde<V> implements Serde<Change<V>>
{
    private static final int NULL_LENGTH = -1;

    private final Serde<V> inner;

    /**
     * @param inner the values' serde.
     */
    public ChangeSerde(final Serde<V> inner)
    {
        this.inner = inner;
    }

    public Serializer<Change<V>> serializer()
    {
        final Serializer<V> valueSerializer = inner.serializer();
        return (topic, change) ->
        {
            if (null == change)
            {
                return null;
            }
            final byte[] newBytes = null == change.newValue() ? null :
                valueSerializer.serialize(topic, change.newValue());
            final byte[] oldBytes = null == change.oldValue() ? null :
                valueSerializer.serialize(topic, change.oldValue());
            final ByteBuffer out = ByteBuffer.allocate(2 * Integer.BYTES + length(newBytes) + length(oldBytes));
            put(out, newBytes);
            put(out, oldBytes);
            return out.array();
        };
    }

    public Deserializer<Change<V>> deserializer()
    {
        final Deserializer<V> valueDeserializer = inner.deserializer();
        return (topic, bytes) ->
        {
            if (null == bytes)
            {
                return null;
            }
            final ByteBuffer in = ByteBuffer.wrap(bytes);
            final byte[] newBytes = get(in, bytes.length);
            final byte[] oldBytes = get(in, bytes.length);
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException("corrupt change: " + in.remaining() + " bytes left over");
            }
            return new Change<>(null == newBytes ? null : valueDeserializer.deserialize(topic, newBytes),
                null == oldBytes ? null : valueDeserializer.deserialize(topic, oldBytes));
        };
    }

    private static int length(final byte[] bytes)
    {
        return null == bytes ? 0 : bytes.length;
    }

    private static void put(final ByteBuffer out, final byte[] bytes)
    {
        out.putInt(null == bytes ? NULL_LENGTH : bytes.length);
        if (null != bytes)
        {
            out.put(bytes);
        }
    }

    private static byte[] get(final ByteBuffer in, final int total)
    {
        if (in.remaining() < Integer.BYTES)
        {
            throw new IllegalArgumentException("corrupt change: " + total + " bytes, a length is missing");
        }
        final int length = in.getInt();
        if (length == NULL_LENGTH)
        {
            return null;
        }
        if (length < 0 || length > in.remaining())
        {
            throw new IllegalArgumentException("corrupt change: a value of " + length + " bytes in " + total);
        }
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
