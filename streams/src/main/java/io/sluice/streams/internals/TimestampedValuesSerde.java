package io.sluice.streams.internals;

import io.sluice.client.Deserializer;
import io.sluice.client.Serializer;
import io.sluice.streams.Serde;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of (event time, value) as bytes: the count, then per entry its time (8 bytes), its value's length (4 bytes,
 * -1 for null) and the value's bytes; big-endian. What a stream-stream join keeps per key. Not part of the API.
 *
 * @param <V> value type.
 */
public final class TimestampedValuesSerde<V> implements Serde<List<TimestampedValuesSerde.Entry<V>>>
{
    /**
     * One kept record.
     *
     * @param timestamp its event time.
     * @param value     its value.
     * @param <V>       value type.
     */
    public record Entry<V>(long timestamp, V value)
    {
    }

    private final Serde<V> inner;

    /**
     * @param inner the values' serde.
     */
    public TimestampedValuesSerde(final Serde<V> inner)
    {
        this.inner = inner;
    }

    public Serializer<List<Entry<V>>> serializer()
    {
        final Serializer<V> valueSerializer = inner.serializer();
        return (topic, entries) ->
        {
            if (null == entries)
            {
                return null;
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes))
            {
                out.writeInt(entries.size());
                for (final Entry<V> entry : entries)
                {
                    out.writeLong(entry.timestamp());
                    final byte[] value = valueSerializer.serialize(topic, entry.value());
                    out.writeInt(null == value ? -1 : value.length);
                    if (null != value)
                    {
                        out.write(value);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return bytes.toByteArray();
        };
    }

    public Deserializer<List<Entry<V>>> deserializer()
    {
        final Deserializer<V> valueDeserializer = inner.deserializer();
        return (topic, bytes) ->
        {
            if (null == bytes)
            {
                return null;
            }
            final ByteBuffer in = ByteBuffer.wrap(bytes);
            final int count = in.getInt();
            if (count < 0 || count > bytes.length / (Long.BYTES + Integer.BYTES))
            {
                throw new IllegalArgumentException("corrupt join buffer: " + count + " entries in " + bytes.length +
                    " bytes");
            }
            final List<Entry<V>> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final long timestamp = in.getLong();
                final int length = in.getInt();
                byte[] value = null;
                if (length >= 0)
                {
                    value = new byte[length];
                    in.get(value);
                }
                entries.add(new Entry<>(timestamp, valueDeserializer.deserialize(topic, value)));
            }
            return entries;
        };
    }
}
