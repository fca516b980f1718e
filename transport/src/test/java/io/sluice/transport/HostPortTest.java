package io.sluice.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HostPortTest
{
    @Test
    void shouldParseHostAndPortWhenWellFormed()
    {
        assertEquals(new HostPort("localhost", 9494), HostPort.parse("localhost:9494"));
        assertEquals(new HostPort("10.0.0.7", 0), HostPort.parse("10.0.0.7:0"));
        assertEquals(new HostPort("broker-1.example", 65535), HostPort.parse("broker-1.example:65535"));
    }

    @Test
    void shouldStripBracketsWhenTheHostIsIpv6()
    {
        final HostPort hostPort = HostPort.parse("[::1]:9494");
        assertEquals("::1", hostPort.host());
        assertEquals(9494, hostPort.port());
        assertEquals("[::1]:9494", hostPort.toString());
        assertEquals(new HostPort("fe80::1", 1), HostPort.parse("[fe80::1]:1"));
    }

    @Test
    void shouldRoundTripThroughToStringWhenParsedAgain()
    {
        for (final String text : new String[]{"localhost:9494", "127.0.0.1:0", "[::1]:40000", "[2001:db8::7]:65535"})
        {
            assertEquals(text, HostPort.parse(text).toString());
            assertEquals(HostPort.parse(text), HostPort.parse(HostPort.parse(text).toString()));
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        " ", "\t", "localhost", ":9494", "localhost:", "::1:9494", "[::1]", "[::1]:", "[]:9494", "a:b:9494",
        "localhost:port", "localhost:-1", "localhost:65536", "localhost:99999999999", "localhost:9494x",
        "localhost: 9494", "localhost:0x10"})
    void shouldRejectWithAnIllegalArgumentExceptionWhenMalformed(final String text)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text), "'" + text + "'");
        assertEquals(false, ex.getMessage().isEmpty());
    }
}
