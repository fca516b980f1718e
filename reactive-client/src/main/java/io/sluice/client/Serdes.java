package io.sluice.client;

import java.nio.charset.StandardCharsets;

/**
 * The built-in serializers and deserializers: bytes as they are, UTF-8 strings, and longs as 8 big-endian bytes
 * (Kafka's {@code LongSerializer} layout). Each maps {@code null} to {@code null}.
 */
public final class Serdes
{
    private Serdes()
    {
    }

    /**
     * @return a serializer that passes bytes through.
     */
    public static Serializer<byte[]> bytesSerializer()
    {
        return (topic, data) -> data;
    }

    /**
     * @return a deserializer that passes bytes through.
     */
    public static Deserializer<byte[]> bytesDeserializer()
    {
        return (topic, data) -> data;
    }

    /**
     * @return a UTF-8 serializer.
     */
    public static Serializer<String> stringSerializer()
    {
        return (topic, data) -> null == data ? null : data.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return a UTF-8 deserializer.
     */
    public static Deserializer<String> stringDeserializer()
    {
        return (topic, data) -> null == data ? null : new String(data, StandardCharsets.UTF_8);
    }

    /**
     * @return a serializer of longs as 8 big-endian bytes.
     */
    public static Serializer<Long> longSerializer()
    {
        return (topic, data) ->
        {
            if (null == data)
            {
                return null;
            }
            final long value = data;
            final byte[] bytes = new byte[Long.BYTES];
            for (int i = 0; i < Long.BYTES; i++)
            {
                bytes[i] = (byte)(value >>> (56 - 8 * i));
            }
            return bytes;
        };
    }

    /**
     * @return a deserializer of 8 big-endian bytes into a long.
     * @throws IllegalArgumentException from the deserializer if the data is not 8 bytes long.
     */
    public static Deserializer<Long> longDeserializer()
    {
        return (topic, data) ->
        {
            if (null == data)
            {
                return null;
            }
            if (data.length != Long.BYTES)
            {
                throw new IllegalArgumentException(
                    "a long is 8 bytes, not " + data.length + " (topic " + topic + ")");
            }
            long value = 0;
            for (final byte b : data)
            {
                value = (value << 8) | (b & 0xFF);
            }
            return value;
        };
    }
}
