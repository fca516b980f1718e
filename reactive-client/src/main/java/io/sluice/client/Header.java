package io.sluice.client;

import java.util.Objects;

/**
 * A record header: a key and a value of bytes, as Kafka's record headers. A record may carry several with the
 * same key; their order is kept.
 *
 * @param key   the header's name.
 * @param value its value; not null (an empty array for none).
 */
public record Header(String key, byte[] value)
{
    public Header
    {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /**
     * @param key   the header's name.
     * @param value its value, as UTF-8.
     * @return the header.
     */
    public static Header of(final String key, final String value)
    {
        return new Header(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * @return the value as UTF-8 text.
     */
    public String valueAsString()
    {
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
