package io.sluice.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Turns a connector's keys and values into the bytes of a record and back. Chosen per connector by
 * {@code key.converter} and {@code value.converter}: {@code string} (UTF-8 text; anything else by its
 * {@code toString}), {@code json} (maps, lists, strings, numbers, booleans and null as JSON), or {@code bytes}
 * (byte arrays as they are). A null value is a null record value (a tombstone) whatever the converter.
 * Implementations are thread-safe.
 */
public interface Converter
{
    /**
     * @param topic of the record.
     * @param value to write; may be null.
     * @return its bytes, or null for null.
     */
    byte[] fromConnectData(String topic, Object value);

    /**
     * @param topic of the record.
     * @param bytes as read; may be null.
     * @return the value, or null for null.
     */
    Object toConnectData(String topic, byte[] bytes);

    /**
     * @param name {@code string}, {@code json} or {@code bytes}.
     * @return the converter.
     * @throws IllegalArgumentException for another name.
     */
    static Converter named(final String name)
    {
        return switch (name)
        {
            case "string" -> STRING;
            case "json" -> JSON;
            case "bytes" -> BYTES;
            default -> throw new IllegalArgumentException("unknown converter '" + name + "': string, json or bytes");
        };
    }

    /** UTF-8 text. */
    Converter STRING = new Converter()
    {
        public byte[] fromConnectData(final String topic, final Object value)
        {
            return null == value ? null : value.toString().getBytes(StandardCharsets.UTF_8);
        }

        public Object toConnectData(final String topic, final byte[] bytes)
        {
            return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    };

    /** Byte arrays as they are. */
    Converter BYTES = new Converter()
    {
        public byte[] fromConnectData(final String topic, final Object value)
        {
            if (null == value || value instanceof byte[])
            {
                return (byte[])value;
            }
            throw new DataException("the bytes converter takes byte arrays, not " + value.getClass().getName());
        }

        public Object toConnectData(final String topic, final byte[] bytes)
        {
            return bytes;
        }
    };

    /** JSON, through Jackson: maps, lists, strings, numbers, booleans. */
    Converter JSON = new Converter()
    {
        private final ObjectMapper mapper = new ObjectMapper();

        public byte[] fromConnectData(final String topic, final Object value)
        {
            try
            {
                return null == value ? null : mapper.writeValueAsBytes(value);
            }
            catch (final JsonProcessingException ex)
            {
                throw new DataException("cannot write JSON for topic " + topic + ": " + ex.getOriginalMessage());
            }
        }

        public Object toConnectData(final String topic, final byte[] bytes)
        {
            try
            {
                return null == bytes ? null : mapper.readValue(bytes, Object.class);
            }
            catch (final IOException ex)
            {
                throw new DataException("not JSON in topic " + topic + ": " + ex.getMessage());
            }
        }
    };
}
