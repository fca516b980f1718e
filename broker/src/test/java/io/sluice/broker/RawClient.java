package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.codecs.client.AdminResponseDecoder;
import io.sluice.codecs.client.ConnectRequestEncoder;
import io.sluice.codecs.client.ConnectResponseDecoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.ErrorResponseDecoder;
import io.sluice.codecs.client.FetchStatusDecoder;
import io.sluice.codecs.client.HeartbeatEncoder;
import io.sluice.codecs.client.MessageHeaderDecoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.ProduceResponseDecoder;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.HostPort;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client that speaks the protocol by hand, to send a broker what {@code ClientConnection} never would: its own
 * Aeron client on the broker's media driver, an exclusive publication to the broker's UDP ingress and a response
 * subscription on an ephemeral port.
 */
final class RawClient implements AutoCloseable
{
    /** One response, whatever its template. */
    record Reply(int templateId, long correlationId, ErrorCode errorCode, int requestTemplateId, String message)
    {
    }

    private static final long DEADLINE_NS = 10_000_000_000L;

    final List<Reply> replies = new ArrayList<>();
    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final Aeron aeron;
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final String responseChannel;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final ProduceResponseDecoder produceDecoder = new ProduceResponseDecoder();
    private final AdminResponseDecoder adminDecoder = new AdminResponseDecoder();
    private final FetchStatusDecoder fetchStatusDecoder = new FetchStatusDecoder();
    private final FragmentHandler handler = this::onFragment;
    private long nextCorrelationId = 1;

    RawClient(final SluiceBroker broker)
    {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(broker.aeronDirectoryName()));
        try
        {
            subscription = aeron.addSubscription(
                ClientProtocol.udpChannel("127.0.0.1", 0, 0), ClientProtocol.RESPONSE_STREAM_ID);
            final long deadline = System.nanoTime() + DEADLINE_NS;
            String resolved;
            while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
            {
                checkDeadline(deadline, "response port not resolved");
                Thread.yield();
            }
            responseChannel = resolved;
            final HostPort listen = HostPort.parse(broker.listenEndpoint());
            publication = aeron.addExclusivePublication(
                ClientProtocol.udpChannel(listen.host(), listen.port(), TestBroker.TERM_LENGTH),
                ClientProtocol.INGRESS_STREAM_ID);
            while (!publication.isConnected())
            {
                checkDeadline(deadline, "the broker's ingress did not connect");
                Thread.yield();
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /** Connect as a well-behaved client would, and wait for the broker to accept. */
    void connect()
    {
        final long correlationId = nextCorrelationId();
        final ConnectRequestEncoder encoder = new ConnectRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .protocolVersion(ClientProtocol.PROTOCOL_VERSION)
            .responseStreamId(ClientProtocol.RESPONSE_STREAM_ID)
            .responseChannel(responseChannel)
            .clientName("raw-test-client");
        send(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        final Reply reply = awaitReply(correlationId);
        assertEquals(ConnectResponseDecoder.TEMPLATE_ID, reply.templateId(), reply.toString());
        assertEquals(ErrorCode.NONE, reply.errorCode(), reply.toString());
        replies.clear();
    }

    void heartbeat()
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .timestampMs(System.currentTimeMillis());
        send(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /** Offer one message as it is, retrying while back-pressured. */
    void send(final DirectBuffer source, final int offset, final int length)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        long result;
        while ((result = publication.offer(source, offset, length)) < 0)
        {
            checkDeadline(deadline, "offer kept failing: " + result);
            poll();
        }
    }

    void send(final byte[] bytes)
    {
        send(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    int poll()
    {
        return subscription.poll(handler, 16);
    }

    Reply awaitReply(final long correlationId)
    {
        pollUntil(() -> replies.stream().anyMatch((r) -> r.correlationId() == correlationId));
        return replies.stream().filter((r) -> r.correlationId() == correlationId).findFirst().orElseThrow();
    }

    void pollUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            checkDeadline(deadline, "condition not met; replies " + replies);
            if (0 == poll())
            {
                Thread.yield();
            }
        }
    }

    /** Poll for a while, for tests that check nothing more arrives. */
    void pollFor(final long millis)
    {
        final long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - end < 0)
        {
            if (0 == poll())
            {
                Thread.yield();
            }
        }
    }

    public void close()
    {
        CloseHelper.closeAll(publication, subscription, aeron);
    }

    private void onFragment(
        final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
    {
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (templateId)
        {
            case ConnectResponseDecoder.TEMPLATE_ID ->
            {
                final ConnectResponseDecoder d = connectDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = d.correlationId();
                final ErrorCode code = ClientProtocol.errorCode(d.errorCodeRaw());
                d.brokerId();
                d.connectionId();
                d.maxFrameLength();
                d.clientTimeoutMs();
                replies.add(new Reply(templateId, correlationId, code, -1, d.errorMessage()));
            }
            case ErrorResponseDecoder.TEMPLATE_ID ->
            {
                final ErrorResponseDecoder d = errorDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = d.correlationId();
                final ErrorCode code = ClientProtocol.errorCode(d.errorCodeRaw());
                final int requestTemplateId = d.requestTemplateId();
                replies.add(new Reply(templateId, correlationId, code, requestTemplateId, d.errorMessage()));
            }
            case ProduceResponseDecoder.TEMPLATE_ID ->
            {
                final ProduceResponseDecoder d = produceDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = d.correlationId();
                d.topicId();
                d.partition();
                final ErrorCode code = ClientProtocol.errorCode(d.errorCodeRaw());
                d.baseOffset();
                d.logStartOffset();
                replies.add(new Reply(templateId, correlationId, code, -1, d.errorMessage()));
            }
            case AdminResponseDecoder.TEMPLATE_ID ->
            {
                final AdminResponseDecoder d = adminDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = d.correlationId();
                final ErrorCode code = ClientProtocol.errorCode(d.errorCodeRaw());
                d.topicId();
                replies.add(new Reply(templateId, correlationId, code, -1, d.errorMessage()));
            }
            case FetchStatusDecoder.TEMPLATE_ID ->
            {
                final FetchStatusDecoder d = fetchStatusDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = d.correlationId();
                d.sessionId();
                final ErrorCode code = ClientProtocol.errorCode(d.errorCodeRaw());
                d.nextOffset();
                d.logStartOffset();
                d.highWatermark();
                replies.add(new Reply(templateId, correlationId, code, -1, d.errorMessage()));
            }
            default -> replies.add(new Reply(templateId, -1, null, -1, "not decoded"));
        }
    }

    private static void checkDeadline(final long deadline, final String message)
    {
        if (System.nanoTime() - deadline > 0)
        {
            fail(message);
        }
    }
}
