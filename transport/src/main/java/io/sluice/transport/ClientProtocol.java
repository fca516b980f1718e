package io.sluice.transport;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.MessageHeaderDecoder;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Constants of the client protocol ({@code client-codecs.xml}, schema 102) and the Aeron channels it runs on.
 * <p>
 * A broker subscribes to requests on its ingress channel, {@code aeron:udp?endpoint=HOST:PORT}, and on
 * {@code aeron:ipc} for clients sharing its media driver, both on {@link #INGRESS_STREAM_ID}. Each client
 * subscribes to its own response channel on {@link #RESPONSE_STREAM_ID} and names it in its connect request.
 */
public final class ClientProtocol
{
    /** Stream id of the broker's ingress subscriptions. */
    public static final int INGRESS_STREAM_ID = 1001;

    /** Stream id of a client's response subscription. */
    public static final int RESPONSE_STREAM_ID = 1002;

    /** Fetch offset meaning "the log start offset". */
    public static final long EARLIEST_OFFSET = -2;

    /** Fetch offset meaning "the log end offset": only records produced from now on. */
    public static final long LATEST_OFFSET = -1;

    /** Default port of a broker's ingress channel. */
    public static final int DEFAULT_PORT = 9494;

    /** Version of the schema this build speaks. */
    public static final int PROTOCOL_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    /**
     * MTU of a publication to a loopback endpoint, where no link limits a datagram to Ethernet's 1,500 bytes: a full
     * 16 KB produce batch goes in 3 datagrams instead of 12 at Aeron's default of 1,408, so the media driver makes a
     * quarter of the send and receive calls. 8 KB fits the smallest term Aeron allows (64 KB) and its receiver window
     * (half a term), and any socket buffer Linux gives by default.
     */
    public static final int LOOPBACK_MTU_LENGTH = 8 * 1024;

    /** The channel of clients that share the broker's media driver. */
    public static final String IPC_CHANNEL = CommonContext.IPC_CHANNEL;
    /** The top of the media driver's default range of session ids kept for publications that name their own. */
    static final int RESERVED_SESSION_ID_HIGH = 1000;

    private static final ErrorCode[] ERROR_CODES = new ErrorCode[256];

    static
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NULL_VAL)
            {
                ERROR_CODES[code.value()] = code;
            }
        }
    }

    private ClientProtocol()
    {
    }

    /**
     * A UDP channel for one endpoint.
     *
     * @param host       name or address.
     * @param port       0 for an ephemeral port (subscriptions only).
     * @param termLength of publications on the channel, or 0 for the media driver's default.
     * @return the channel.
     */
    public static String udpChannel(final String host, final int port, final int termLength)
    {
        final String endpoint = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        return "aeron:udp?endpoint=" + endpoint + (termLength > 0 ? "|term-length=" + termLength : "");
    }

    /**
     * A UDP channel to publish on: {@link #udpChannel} with {@link #LOOPBACK_MTU_LENGTH} if the endpoint is on the
     * loopback interface, otherwise the media driver's default MTU (which fits the network's).
     *
     * @param host       name or address of the endpoint.
     * @param port       of the endpoint.
     * @param termLength of the publication, or 0 for the media driver's default.
     * @param loopback   whether the endpoint is on the loopback interface: see {@link #isLoopback} and
     *                   {@link #isLoopbackLiteral}.
     * @return the channel.
     */
    public static String udpPublicationChannel(
        final String host, final int port, final int termLength, final boolean loopback)
    {
        return udpChannel(host, port, termLength) + (loopback ? "|mtu=" + LOOPBACK_MTU_LENGTH : "");
    }

    /**
     * An IPC channel.
     *
     * @param termLength of publications on the channel, or 0 for the media driver's default.
     * @return the channel.
     */
    public static String ipcChannel(final int termLength)
    {
        return termLength > 0 ? IPC_CHANNEL + "?term-length=" + termLength : IPC_CHANNEL;
    }

    /**
     * A client's IPC response channel: every IPC client of a driver subscribes to the same stream, so each names a
     * session of its own and its subscription takes that session's responses only.
     *
     * @param sessionId the client's, outside Aeron's reserved range (see {@link #newResponseSessionId()}).
     * @return the channel for the client's subscription and its connect request.
     */
    public static String ipcResponseChannel(final int sessionId)
    {
        return IPC_CHANNEL + "?" + CommonContext.SESSION_ID_PARAM_NAME + "=" + sessionId;
    }

    /**
     * @return a random session id for {@link #ipcResponseChannel}, above the media driver's default reserved range
     *         (-1 to 1000), which ids it assigns itself never enter.
     */
    public static int newResponseSessionId()
    {
        return ThreadLocalRandom.current().nextInt(RESERVED_SESSION_ID_HIGH + 1, Integer.MAX_VALUE);
    }

    /**
     * The channel a broker publishes a client's responses on, rebuilt from what the client asked for: only the
     * media ({@code udp} or {@code ipc}), a UDP {@code endpoint} and an IPC {@code session-id} are taken from the
     * client, so a request cannot smuggle other channel parameters to the broker's media driver. An IPC channel
     * without a session id (a client before this rule) gets the driver's next session; such a client also reads
     * the responses of other IPC clients on the same driver, which it ignores only in part.
     *
     * @param requested  the client's response channel.
     * @param termLength of the broker's publication, or 0 for the driver's default.
     * @return the channel to publish on.
     * @throws IllegalArgumentException naming what is wrong with the requested channel.
     */
    public static String responseChannel(final String requested, final int termLength)
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(requested);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("response channel is not an Aeron channel: " + ex.getMessage());
        }
        if (uri.isIpc())
        {
            final String session = uri.get(CommonContext.SESSION_ID_PARAM_NAME);
            if (null == session)
            {
                return ipcChannel(termLength);
            }
            final int sessionId;
            try
            {
                sessionId = Integer.parseInt(session);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("response channel session-id is not a number: " + requested);
            }
            return ipcResponseChannel(sessionId) + (termLength > 0 ? "|term-length=" + termLength : "");
        }
        if (!uri.isUdp())
        {
            throw new IllegalArgumentException("response channel must be aeron:udp or aeron:ipc: " + requested);
        }
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == endpoint)
        {
            throw new IllegalArgumentException("response channel has no endpoint: " + requested);
        }
        final HostPort hostPort = HostPort.parse(endpoint);
        if (0 == hostPort.port())
        {
            throw new IllegalArgumentException("response channel endpoint has port 0: " + requested);
        }
        // Literal addresses only: a name would be resolved here, on the broker's agent thread.
        return udpPublicationChannel(hostPort.host(), hostPort.port(), termLength, isLoopbackLiteral(hostPort.host()));
    }

    /**
     * Whether a host name or address is on this machine's loopback interface.
     *
     * @param host name or address.
     * @return true for loopback addresses and names that resolve to one.
     */
    public static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    /**
     * Whether a host is written as a loopback address, {@code 127.x.x.x} or {@code ::1}, without resolving a name:
     * for code that must not block on a name service.
     *
     * @param host name or address.
     * @return true for a literal loopback address; false for any name, even {@code localhost}.
     */
    public static boolean isLoopbackLiteral(final String host)
    {
        if ("::1".equals(host) || "0:0:0:0:0:0:0:1".equals(host))
        {
            return true;
        }
        final String[] parts = host.split("\\.", -1);
        if (4 != parts.length || !"127".equals(parts[0]))
        {
            return false;
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch((c) -> c >= '0' && c <= '9') ||
                Integer.parseInt(part) > 255)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The error code for a raw value, without throwing for values this build does not know.
     *
     * @param raw value from a response.
     * @return the code, or {@link ErrorCode#NULL_VAL} if unknown.
     */
    public static ErrorCode errorCode(final int raw)
    {
        final ErrorCode code = raw >= 0 && raw < ERROR_CODES.length ? ERROR_CODES[raw] : null;
        return null == code ? ErrorCode.NULL_VAL : code;
    }
}
