package io.sluice.client.internal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Header keys decoded from UTF-8, remembering the last few: the same keys usually recur on every record, so the
 * decoding, and the key's {@code String}, are made once. One thread.
 */
final class HeaderKeys
{
    /** Keys remembered; the oldest is replaced. */
    static final int SIZE = 8;

    private final UnsafeBuffer[] encoded = new UnsafeBuffer[SIZE];
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
            final UnsafeBuffer candidate = encoded[i];
            if (null != candidate && candidate.capacity() == length && matches(key, candidate, length))
            {
                return decoded[i];
            }
        }
        final byte[] bytes = new byte[length];
        key.getBytes(0, bytes);
        final String string = key.getStringWithoutLengthUtf8(0, length);
        encoded[next] = new UnsafeBuffer(bytes);
        decoded[next] = string;
        next = (next + 1) % SIZE;
        return string;
    }

    /**
     * Eight bytes at a time, then the rest: a byte-by-byte loop was a sixth of the client's I/O thread's samples in
     * the Streams benchmark, where every output carries an origin header.
     */
    private static boolean matches(final DirectBuffer key, final UnsafeBuffer candidate, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (key.getLong(i) != candidate.getLong(i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (key.getByte(i) != candidate.getByte(i))
            {
                return false;
            }
        }
        return true;
    }
}
