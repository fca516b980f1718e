package io.sluice.client.internal;

import org.agrona.DirectBuffer;

/**
 * Header keys decoded from UTF-8, remembering the last few: the same keys usually recur on every record, so the
 * decoding, and the key's {@code String}, are made once. One thread.
 */
final class HeaderKeys
{
    /** Keys remembered; the oldest is replaced. */
    static final int SIZE = 8;

    private final byte[][] encoded = new byte[SIZE][];
    private final String[] decoded = new String[SIZE];
    private int next;

    /**
     * @param key a header key's bytes, the whole buffer.
     * @return the key as a string.
     */
    String decode(final DirectBuffer key)
    {
        final int length = key.capacity();
        for (int i = 0; i < SIZE; i++)
        {
            final byte[] candidate = encoded[i];
            if (null != candidate && candidate.length == length && matches(key, candidate))
            {
                return decoded[i];
            }
        }
        final byte[] bytes = new byte[length];
        key.getBytes(0, bytes);
        final String string = key.getStringWithoutLengthUtf8(0, length);
        encoded[next] = bytes;
        decoded[next] = string;
        next = (next + 1) % SIZE;
        return string;
    }

    private static boolean matches(final DirectBuffer key, final byte[] candidate)
    {
        for (int i = 0; i < candidate.length; i++)
        {
            if (key.getByte(i) != candidate[i])
            {
                return false;
            }
        }
        return true;
    }
}
