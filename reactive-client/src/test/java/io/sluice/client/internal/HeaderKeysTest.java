package io.sluice.client.internal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HeaderKeysTest
{
    private final HeaderKeys keys = new HeaderKeys();

    @Test
    void shouldDecodeARecurringKeyOnce()
    {
        final String first = keys.decode(utf8("__sluice.origin"));
        assertEquals("__sluice.origin", first);
        assertSame(first, keys.decode(utf8("__sluice.origin")));
    }

    @Test
    void shouldTellKeysOfTheSameLengthApart()
    {
        assertEquals("trace-a", keys.decode(utf8("trace-a")));
        assertEquals("trace-b", keys.decode(utf8("trace-b")));
        assertEquals("trace-a", keys.decode(utf8("trace-a")));
        assertEquals("", keys.decode(utf8("")));
        assertEquals("clé-ü", keys.decode(utf8("clé-ü")));
        // Compared eight bytes at a time: a difference in the first word, in the second, and in the bytes after them.
        for (final String key : new String[]{"abcdefgh", "abcdefgi", "__sluice.origin-a", "__sluice.origin-b",
            "__sluice.origiN-a", "__sluice.origin-a"})
        {
            assertEquals(key, keys.decode(utf8(key)));
        }
    }

    @Test
    void shouldReadAKeyAtAnOffsetInALargerBuffer()
    {
        final byte[] frame = "xx__sluice.origin-ayy".getBytes(StandardCharsets.UTF_8);
        assertEquals("__sluice.origin-a", keys.decode(new UnsafeBuffer(frame, 2, 17)));
        assertSame(keys.decode(utf8("__sluice.origin-a")), keys.decode(new UnsafeBuffer(frame, 2, 17)));
        assertEquals("__sluice.origin-b", keys.decode(utf8("__sluice.origin-b")));
    }

    @Test
    void shouldDecodeMoreKeysThanItRemembers()
    {
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < HeaderKeys.SIZE * 3; i++)
            {
                assertEquals("key-" + i, keys.decode(utf8("key-" + i)));
            }
        }
    }

    private static UnsafeBuffer utf8(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
    }
}
