package io.sluice.transport.replication;

import io.sluice.codecs.replication.ReplicationError;
import org.agrona.DirectBuffer;

/**
 * What a broker does with the replication messages its peers send, after {@link ReplicationAdapter} validated their
 * framing. Each method returns false to have the message delivered again on the next poll (back pressure).
 */
public interface ReplicationHandler
{
    /**
     * A follower asks the leader to stream a partition from {@code fetchOffset}.
     */
    boolean onFetch(int fromBroker, int topicId, int partition, int leaderEpoch, int lastFetchedEpoch,
        long fetchOffset, long fetchId);

    /**
     * A follower reports its log end offset.
     */
    boolean onProgress(int fromBroker, int topicId, int partition, int leaderEpoch, long fetchId, long logEndOffset);

    /**
     * A leader answers a fetch.
     */
    boolean onFetchResponse(int fromBroker, int topicId, int partition, int leaderEpoch, long fetchId,
        ReplicationError error, int divergingEpoch, long divergingEndOffset, long logStartOffset, long highWatermark);

    /**
     * A leader sends batches (or, with {@code length} 0, only its high watermark).
     */
    boolean onData(int fromBroker, int topicId, int partition, int leaderEpoch, long fetchId, long baseOffset,
        long highWatermark, long logStartOffset, DirectBuffer buffer, int offset, int length);

    /**
     * A message that is not a valid replication message; dropped after this call.
     */
    void onMalformed(String reason);

    /**
     * Whether the stream a message came on has proven it belongs to {@code fromBroker} (see
     * {@link PeerAuthenticator}); called before each partition message, so cheap and allocation-free. By default
     * every stream is trusted (a cluster without a secret).
     *
     * @param sessionId  the Aeron session of the stream.
     * @param fromBroker the broker the message says it is from.
     * @return whether to take the message.
     */
    default boolean isAuthenticated(int sessionId, int fromBroker)
    {
        return true;
    }

    /**
     * A partition message on a stream not (yet) proven to be {@code fromBroker}'s: dropped after this call, which
     * may challenge the broker (its fetches and reports are sent again, so nothing is lost).
     *
     * @param sessionId  the Aeron session of the stream.
     * @param fromBroker the broker the message says it is from.
     */
    default void onUnauthenticated(int sessionId, int fromBroker)
    {
    }

    /**
     * A peer challenges this broker to prove its stream {@code challengedSession} to the peer.
     *
     * @param fromBroker        the challenger.
     * @param challengedSession the session of this broker's stream to the challenger.
     * @param nonce             32 bytes, valid during the call.
     * @return false to have it delivered again.
     */
    default boolean onChallenge(int fromBroker, int challengedSession, byte[] nonce)
    {
        return true;
    }

    /**
     * A peer proves its stream: the answer to this broker's challenge, arriving on that stream.
     *
     * @param sessionId  the Aeron session it came on.
     * @param fromBroker the peer.
     * @param challenged the session the peer says it proves.
     * @param proof      32 bytes, valid during the call.
     */
    default void onProof(int sessionId, int fromBroker, int challenged, byte[] proof)
    {
    }
}
