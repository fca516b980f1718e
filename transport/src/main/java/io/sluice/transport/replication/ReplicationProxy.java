package io.sluice.transport.replication;

import io.sluice.codecs.replication.MessageHeaderEncoder;
import io.sluice.codecs.replication.ReplicaDataEncoder;
import io.sluice.codecs.replication.ReplicaFetchEncoder;
import io.sluice.codecs.replication.ReplicaFetchResponseEncoder;
import io.sluice.codecs.replication.ReplicaProgressEncoder;
import io.sluice.codecs.replication.ReplicationError;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes replication messages into one buffer, which the caller offers on a peer's publication. A data message is
 * its header here plus the batches, offered as a second buffer. Allocation-free; one per thread.
 */
public final class ReplicationProxy
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ReplicaFetchEncoder fetch = new ReplicaFetchEncoder();
    private final ReplicaProgressEncoder progress = new ReplicaProgressEncoder();
    private final ReplicaFetchResponseEncoder response = new ReplicaFetchResponseEncoder();
    private final ReplicaDataEncoder data = new ReplicaDataEncoder();
    private final io.sluice.codecs.replication.PeerChallengeEncoder challenge =
        new io.sluice.codecs.replication.PeerChallengeEncoder();
    private final io.sluice.codecs.replication.PeerProofEncoder proof =
        new io.sluice.codecs.replication.PeerProofEncoder();

    /** @return the buffer the last message was encoded into, at offset 0. */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int challenge(final int fromBroker, final int sessionId, final byte[] nonce)
    {
        challenge.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).sessionId(sessionId).putNonce(nonce, 0, 32);
        return MessageHeaderEncoder.ENCODED_LENGTH + challenge.encodedLength();
    }

    public int proof(final int fromBroker, final int sessionId, final byte[] value)
    {
        proof.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).sessionId(sessionId).putProof(value, 0, 32);
        return MessageHeaderEncoder.ENCODED_LENGTH + proof.encodedLength();
    }

    public int fetch(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
        final int lastFetchedEpoch, final long fetchOffset, final long fetchId)
    {
        fetch.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).topicId(topicId).partition(partition).leaderEpoch(leaderEpoch)
            .lastFetchedEpoch(lastFetchedEpoch).fetchOffset(fetchOffset).fetchId(fetchId);
        return MessageHeaderEncoder.ENCODED_LENGTH + fetch.encodedLength();
    }

    public int progress(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
        final long fetchId, final long logEndOffset)
    {
        progress.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).topicId(topicId).partition(partition).leaderEpoch(leaderEpoch)
            .fetchId(fetchId).logEndOffset(logEndOffset);
        return MessageHeaderEncoder.ENCODED_LENGTH + progress.encodedLength();
    }

    public int fetchResponse(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
        final long fetchId, final ReplicationError error, final int divergingEpoch, final long divergingEndOffset,
        final long logStartOffset, final long highWatermark)
    {
        response.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).topicId(topicId).partition(partition).leaderEpoch(leaderEpoch)
            .fetchId(fetchId).errorCode(error).divergingEpoch(divergingEpoch).divergingEndOffset(divergingEndOffset)
            .logStartOffset(logStartOffset).highWatermark(highWatermark);
        return MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength();
    }

    /**
     * The header of a data message; the batches go after it.
     */
    public int dataHeader(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
        final long fetchId, final long baseOffset, final long highWatermark, final long logStartOffset)
    {
        data.wrapAndApplyHeader(buffer, 0, header)
            .fromBroker(fromBroker).topicId(topicId).partition(partition).leaderEpoch(leaderEpoch)
            .fetchId(fetchId).baseOffset(baseOffset).highWatermark(highWatermark).logStartOffset(logStartOffset);
        return MessageHeaderEncoder.ENCODED_LENGTH + data.encodedLength();
    }
}
