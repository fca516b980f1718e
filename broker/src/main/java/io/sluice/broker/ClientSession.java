package io.sluice.broker;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One client connection: the client's ingress image (by Aeron session id), the broker's publication of responses
 * to it, its fetch sessions, and the responses that wait because that publication was back-pressured.
 * <p>
 * While responses wait, the broker takes no further request from the client (they stay in its image, see
 * {@code ClientRequestListener}), so waiting responses are bounded and a slow client slows only itself.
 * <p>
 * Owned by the broker agent.
 */
final class ClientSession
{
    enum State
    {
        AWAITING_PUBLICATION, CONNECTED, CLOSED
    }

    final int sessionId;
    final long connectionId;
    final long connectCorrelationId;
    final long publicationRegistrationId;
    final String clientName;
    final String responseChannel;
    final Long2ObjectHashMap<FetchSession> fetchSessions = new Long2ObjectHashMap<>();
    State state = State.AWAITING_PUBLICATION;
    ExclusivePublication publication;
    long lastActivityNs;
    long connectDeadlineNs;
    String connectError;
    /** The code of {@link #connectError}. */
    io.sluice.codecs.client.ErrorCode connectErrorCode = io.sluice.codecs.client.ErrorCode.UNSUPPORTED_VERSION;
    /** Produce bytes taken from this client, and fetch bytes sent to it, within the broker's quotas. */
    ByteQuota produceQuota;
    ByteQuota fetchQuota;
    /** The authenticated user, or null until the client has authenticated (with authentication on). */
    String principal;
    /** Per topic id, this connection's ACL decisions (see BrokerAgent.allowsTopic), and their ACL version. */
    final org.agrona.collections.Int2IntHashMap aclDecisions = new org.agrona.collections.Int2IntHashMap(0);
    long aclVersion;
    /** The SCRAM exchange in progress, or null. */
    io.sluice.transport.auth.ScramServer scram;

    private final ExpandableArrayBuffer waiting = new ExpandableArrayBuffer(0);
    private int waitingLength;

    ClientSession(
        final int sessionId,
        final long connectionId,
        final long connectCorrelationId,
        final long publicationRegistrationId,
        final String clientName,
        final String responseChannel,
        final long nowNs,
        final long connectTimeoutNs)
    {
        this.sessionId = sessionId;
        this.connectionId = connectionId;
        this.connectCorrelationId = connectCorrelationId;
        this.publicationRegistrationId = publicationRegistrationId;
        this.clientName = clientName;
        this.responseChannel = responseChannel;
        this.lastActivityNs = nowNs;
        this.connectDeadlineNs = nowNs + connectTimeoutNs;
    }

    boolean isBlocked()
    {
        return waitingLength > 0;
    }

    /**
     * Send a response now, or keep a copy to send once the publication has room.
     *
     * @return false if the client is gone (publication not connected or closed): close the session.
     */
    boolean send(final DirectBuffer buffer, final int length, final BrokerCounters counters)
    {
        if (waitingLength == 0)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return true;
            }
            if (!isRetryable(result))
            {
                return false;
            }
            counters.backPressureEvents.incrementRelease();
        }
        waiting.putInt(waitingLength, length);
        waiting.putBytes(waitingLength + Integer.BYTES, buffer, 0, length);
        waitingLength += Integer.BYTES + length;
        return true;
    }

    /**
     * Offer the waiting responses, in order, as far as the publication takes them.
     *
     * @return responses sent, or -1 if the client is gone.
     */
    int sendWaiting()
    {
        int sent = 0;
        int position = 0;
        while (position < waitingLength)
        {
            final int length = waiting.getInt(position);
            final long result = publication.offer(waiting, position + Integer.BYTES, length);
            if (result < 0)
            {
                if (!isRetryable(result))
                {
                    return -1;
                }
                break;
            }
            position += Integer.BYTES + length;
            sent++;
        }
        if (position > 0)
        {
            waiting.putBytes(0, waiting, position, waitingLength - position);
            waitingLength -= position;
        }
        return sent;
    }

    void close()
    {
        state = State.CLOSED;
        fetchSessions.clear();
        waitingLength = 0;
        CloseHelper.quietClose(publication);
    }

    static boolean isRetryable(final long offerResult)
    {
        return offerResult == Publication.BACK_PRESSURED || offerResult == Publication.ADMIN_ACTION;
    }

    public String toString()
    {
        return "connection " + connectionId + " (" + clientName + ", session " + sessionId + ", responses to " +
            responseChannel + ")";
    }
}
