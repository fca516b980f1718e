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
