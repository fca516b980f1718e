package io.sluice.streams.internals;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a task has made durable, as one record of the application's checkpoint topic (keyed by task id): the epoch
 * whose changelog entries are the task's state, the next offset to process of each source partition, the stream
 * time, and of each upstream partition that writes to this task's repartition sources the last record taken (its
 * offset and index among the records that one input caused). Written only once every record the task sent up to it
 * is acknowledged, so restoring to it gives a state, positions and stream time that belong together. Not part of the
 * API.
 *
 * @param epoch      the last committed epoch of the task's changelog entries.
 * @param streamTime the task's stream time then, {@link Long#MIN_VALUE} before any record.
 * @param positions  source topic to the next offset to process in the task's partition.
 * @param origins    upstream input partition ({@link Origin#source()}) to the last record taken from it.
 */
public record Checkpoint(long epoch, long streamTime, Map<String, Long> positions, Map<String, Origin> origins)
{
    private static final byte VERSION = 1;

    /**
     * Where a repartition record came from: the upstream task's input partition, the offset there, and its index among
     * the records that input caused (a flat map may write several). Carried in the {@value #HEADER} header.
     *
     * @param source upstream topic and partition, as {@code topic-partition}.
     * @param offset of the upstream input record.
     * @param index  of this record among those it caused, from 0.
     */
    public record Origin(String source, long offset, int index)
    {
        /** The header of a record a task wrote to a repartition or sink topic. */
        public static final String HEADER = "__sluice.origin";

        /**
         * @param other an origin of the same source.
         * @return whether this one comes after it.
         */
        public boolean isAfter(final Origin other)
        {
            return offset > other.offset || (offset == other.offset && index > other.index);
        }

        /**
         * @return the header's value: offset (8 bytes), index (4), then the source in UTF-8.
         */
        public byte[] encode()
        {
            return encode(source.getBytes(StandardCharsets.UTF_8), offset, index);
        }

        /**
         * @param source the source in UTF-8, encoded once by a caller that writes many origins of it.
         * @param offset of the input record.
         * @param index  of the record among those the input caused.
         * @return the header's value, as {@link #encode()}.
         */
        public static byte[] encode(final byte[] source, final long offset, final int index)
        {
            return ByteBuffer.allocate(12 + source.length).putLong(offset).putInt(index).put(source).array();
        }

        /**
         * @param bytes a header's value.
         * @return the origin.
         * @throws IllegalArgumentException if the bytes are not one.
         */
        public static Origin decode(final byte[] bytes)
        {
            if (bytes.length < 13)
            {
                throw new IllegalArgumentException("a " + HEADER + " header of " + bytes.length + " bytes");
            }
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final long offset = buffer.getLong();
            final int index = buffer.getInt();
            if (offset < 0 || index < 0)
            {
                throw new IllegalArgumentException("a " + HEADER + " header with offset " + offset + ", index " +
                    index);
            }
            return new Origin(new String(bytes, 12, bytes.length - 12, StandardCharsets.UTF_8), offset, index);
        }
    }

    public Checkpoint
    {
        positions = Map.copyOf(positions);
        origins = Map.copyOf(origins);
    }

    /**
     * @param subtopology of the task.
     * @param partition   of the task.
     * @return the task's key in the checkpoint topic.
     */
    public static String key(final int subtopology, final int partition)
    {
        return subtopology + "_" + partition;
    }

    /**
     * @return this checkpoint as a record value.
     */
    public byte[] encode()
    {
        final Map<String, Long> sortedPositions = new TreeMap<>(positions);
        final Map<String, Origin> sortedOrigins = new TreeMap<>(origins);
        int length = 1 + 8 + 8 + 4 + 4;
        for (final String topic : sortedPositions.keySet())
        {
            length += 4 + utf8(topic).length + 8;
        }
        for (final Origin origin : sortedOrigins.values())
        {
            length += 4 + origin.encode().length;
        }
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        buffer.put(VERSION).putLong(epoch).putLong(streamTime).putInt(sortedPositions.size());
        for (final Map.Entry<String, Long> position : sortedPositions.entrySet())
        {
            final byte[] topic = utf8(position.getKey());
            buffer.putInt(topic.length).put(topic).putLong(position.getValue());
        }
        buffer.putInt(sortedOrigins.size());
        for (final Origin origin : sortedOrigins.values())
        {
            final byte[] encoded = origin.encode();
            buffer.putInt(encoded.length).put(encoded);
        }
        return buffer.array();
    }

    /**
     * @param bytes a record value of the checkpoint topic.
     * @return the checkpoint.
     * @throws IllegalArgumentException naming what is wrong, if the bytes are not a checkpoint this version reads.
     */
    public static Checkpoint decode(final byte[] bytes)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final byte version = buffer.get();
            if (version != VERSION)
            {
                throw new IllegalArgumentException("a checkpoint of version " + version + ", not " + VERSION);
            }
            final long epoch = buffer.getLong();
            final long streamTime = buffer.getLong();
            final int positionCount = count(buffer, 12);
            final Map<String, Long> positions = new TreeMap<>();
            for (int i = 0; i < positionCount; i++)
            {
                final String topic = new String(bytes(buffer, count(buffer, 1)), StandardCharsets.UTF_8);
                final long next = buffer.getLong();
                if (next < 0)
                {
                    throw new IllegalArgumentException("a checkpoint position " + next + " for " + topic);
                }
                positions.put(topic, next);
            }
            final int originCount = count(buffer, 17);
            final Map<String, Origin> origins = new TreeMap<>();
            for (int i = 0; i < originCount; i++)
            {
                final Origin origin = Origin.decode(bytes(buffer, count(buffer, 1)));
                origins.put(origin.source(), origin);
            }
            if (buffer.hasRemaining())
            {
                throw new IllegalArgumentException("a checkpoint with " + buffer.remaining() + " bytes left over");
            }
            return new Checkpoint(epoch, streamTime, positions, origins);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("a checkpoint cut short at " + bytes.length + " bytes", ex);
        }
    }

    private static int count(final ByteBuffer buffer, final int minimumEntryBytes)
    {
        final int count = buffer.getInt();
        if (count < 0 || (long)count * minimumEntryBytes > buffer.remaining())
        {
            throw new IllegalArgumentException("a checkpoint count " + count + " with " + buffer.remaining() +
                " bytes left");
        }
        return count;
    }

    private static byte[] bytes(final ByteBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
