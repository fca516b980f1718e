package io.sluice.transport;

import io.sluice.codecs.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientProtocolTest
{
    @Test
    void shouldBuildUdpAndIpcChannelsWhenGivenATermLengthOrNone()
    {
        assertEquals("aeron:udp?endpoint=127.0.0.1:9494", ClientProtocol.udpChannel("127.0.0.1", 9494, 0));
        assertEquals("aeron:udp?endpoint=localhost:0|term-length=65536",
            ClientProtocol.udpChannel("localhost", 0, 65536));
        assertEquals("aeron:udp?endpoint=[::1]:9494", ClientProtocol.udpChannel("::1", 9494, 0));
        assertEquals("aeron:ipc", ClientProtocol.ipcChannel(0));
        assertEquals("aeron:ipc?term-length=1048576", ClientProtocol.ipcChannel(1048576));
    }

    @Test
    void shouldKeepOnlyTheEndpointWhenRebuildingAUdpResponseChannel()
    {
        assertEquals("aeron:udp?endpoint=10.0.0.7:40123|term-length=1048576", ClientProtocol.responseChannel(
            "aeron:udp?endpoint=10.0.0.7:40123|term-length=65536|mtu=9000|interface=10.0.0.1|tags=1,2|session-id=7",
            1048576));
        assertEquals("aeron:udp?endpoint=10.0.0.7:40123", ClientProtocol.responseChannel(
            "aeron:udp?endpoint=10.0.0.7:40123", 0));
        assertEquals("aeron:udp?endpoint=localhost:1", ClientProtocol.responseChannel(
            "aeron-spy:aeron:udp?endpoint=localhost:1", 0), "a name is not resolved, so it keeps the default MTU");
    }

    @Test
    void shouldNameTheLoopbackMtuWhenRebuildingAResponseChannelToALoopbackAddress()
    {
        assertEquals("aeron:udp?endpoint=127.0.0.1:40123|term-length=1048576|mtu=8192", ClientProtocol.responseChannel(
            "aeron:udp?endpoint=127.0.0.1:40123|term-length=65536|mtu=9000", 1048576));
        assertEquals("aeron:udp?endpoint=[::1]:40123|mtu=8192", ClientProtocol.responseChannel(
            "aeron:udp?endpoint=[::1]:40123", 0));
    }

    @Test
    void shouldAddTheLoopbackMtuToAPublicationChannelOnlyForLoopback()
    {
        assertEquals("aeron:udp?endpoint=localhost:9494|term-length=65536|mtu=" + ClientProtocol.LOOPBACK_MTU_LENGTH,
            ClientProtocol.udpPublicationChannel("localhost", 9494, 65536, true));
        assertEquals("aeron:udp?endpoint=10.0.0.7:9494",
            ClientProtocol.udpPublicationChannel("10.0.0.7", 9494, 0, false));
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1" })
    void shouldTakeALiteralLoopbackAddressAsLoopback(final String host)
    {
        assertTrue(ClientProtocol.isLoopbackLiteral(host));
    }

    @ParameterizedTest
    @ValueSource(strings = { "localhost", "10.0.0.7", "127.0.0", "127.0.0.1.2", "127.0.0.256", "127.0..1", "127.a.0.1",
        "128.0.0.1", "::2", "", "127.0.0.1:80" })
    void shouldNotTakeANameOrAnotherAddressAsALiteralLoopback(final String host)
    {
        assertFalse(ClientProtocol.isLoopbackLiteral(host));
    }

    @Test
    void shouldUseTheBrokersOwnIpcChannelWhenTheClientAsksForIpc()
    {
        assertEquals("aeron:ipc?term-length=65536",
            ClientProtocol.responseChannel("aeron:ipc?term-length=1073741824|alias=evil", 65536));
        assertEquals("aeron:ipc", ClientProtocol.responseChannel("aeron:ipc", 0));
    }

    @Test
    void shouldKeepTheClientsSessionIdWhenRebuildingAnIpcResponseChannel()
    {
        assertEquals("aeron:ipc?session-id=4242|term-length=65536",
            ClientProtocol.responseChannel("aeron:ipc?term-length=1073741824|alias=evil|session-id=4242", 65536));
        assertEquals("aeron:ipc?session-id=4242", ClientProtocol.responseChannel(
            ClientProtocol.ipcResponseChannel(4242), 0));
        assertThrows(IllegalArgumentException.class,
            () -> ClientProtocol.responseChannel("aeron:ipc?session-id=x", 0));
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(ClientProtocol.newResponseSessionId() > ClientProtocol.RESERVED_SESSION_ID_HIGH);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not a channel", "udp://127.0.0.1:40123", "aeron:", "aeron:tcp?endpoint=127.0.0.1:40123",
        "aeron:udp", "aeron:udp?control=127.0.0.1:40124|control-mode=dynamic",
        "aeron:udp?endpoint=127.0.0.1:0", "aeron:udp?endpoint=127.0.0.1", "aeron:udp?endpoint=127.0.0.1:99999",
        "aeron:udp?endpoint=::1:40123"})
    void shouldRejectTheResponseChannelWhenItIsNotAUsableUdpOrIpcChannel(final String requested)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ClientProtocol.responseChannel(requested, 0), "'" + requested + "'");
        assertFalse(ex.getMessage().isEmpty());
    }

    @Test
    void shouldRejectTheResponseChannelWhenNull()
    {
        assertThrows(IllegalArgumentException.class, () -> ClientProtocol.responseChannel(null, 0));
    }

    @Test
    void shouldNameTheProblemWhenRejectingAResponseChannel()
    {
        assertTrue(message("aeron:udp?endpoint=127.0.0.1:0").contains("port 0"));
        assertTrue(message("aeron:udp?control=127.0.0.1:1").contains("no endpoint"));
        assertTrue(message("aeron:tcp?endpoint=127.0.0.1:1").contains("aeron:udp or aeron:ipc"));
        assertTrue(message("udp://x").contains("not an Aeron channel"));
    }

    private static String message(final String requested)
    {
        return assertThrows(IllegalArgumentException.class, () -> ClientProtocol.responseChannel(requested, 0))
            .getMessage();
    }

    @Test
    void shouldMapEveryKnownErrorCodeWhenGivenItsRawValue()
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NULL_VAL)
            {
                assertSame(code, ClientProtocol.errorCode(code.value()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 41, 200, 255, 256, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldReturnNullValWhenTheRawErrorCodeIsUnknown(final int raw)
    {
        assertSame(ErrorCode.NULL_VAL, ClientProtocol.errorCode(raw));
    }

    @Test
    void shouldSpeakTheSchemaVersionWhenAskedForTheProtocolVersion()
    {
        assertEquals(io.sluice.codecs.client.MessageHeaderDecoder.SCHEMA_VERSION, ClientProtocol.PROTOCOL_VERSION);
        assertTrue(ClientProtocol.isLoopback("127.0.0.1"));
        assertTrue(ClientProtocol.isLoopback("::1"));
        assertFalse(ClientProtocol.isLoopback("192.0.2.1"));
    }
}
