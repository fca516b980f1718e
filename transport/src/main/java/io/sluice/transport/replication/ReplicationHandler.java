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
}
