package io.sluice.transport.replication;

import io.sluice.codecs.replication.MessageHeaderEncoder;
import io.sluice.codecs.replication.ReplicaFetchEncoder;
import io.sluice.codecs.replication.ReplicaFetchResponseEncoder;
import io.sluice.codecs.replication.ReplicationError;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReplicationAdapterTest
{
    private final List<String> calls = new ArrayList<>();
    private final ReplicationProxy proxy = new ReplicationProxy();
    private final ReplicationAdapter adapter = new ReplicationAdapter(new ReplicationHandler()
    {
        public boolean onFetch(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
            final int lastFetchedEpoch, final long fetchOffset, final long fetchId)
        {
            calls.add("fetch " + fromBroker + " " + topicId + "-" + partition + " e" + leaderEpoch + " last" +
                lastFetchedEpoch + " @" + fetchOffset + " #" + fetchId);
            return true;
        }

        public boolean onProgress(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
            final long fetchId, final long logEndOffset)
        {
            calls.add("progress " + fromBroker + " " + topicId + "-" + partition + " e" + leaderEpoch + " #" +
                fetchId + " @" + logEndOffset);
            return true;
        }

        public boolean onFetchResponse(final int fromBroker, final int topicId, final int partition,
            final int leaderEpoch, final long fetchId, final ReplicationError error, final int divergingEpoch,
            final long divergingEndOffset, final long logStartOffset, final long highWatermark)
        {
            calls.add("response " + error + " " + divergingEpoch + "/" + divergingEndOffset + " hw" + highWatermark);
            return true;
        }

        public boolean onData(final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
            final long fetchId, final long baseOffset, final long highWatermark, final long logStartOffset,
            final DirectBuffer buffer, final int offset, final int length)
        {
            calls.add("data @" + baseOffset + " hw" + highWatermark + " " + buffer.getStringWithoutLengthAscii(offset,
                length));
            return false; // asks for the message again
        }

        public void onMalformed(final String reason)
        {
            calls.add("malformed: " + reason);
        }
    });

    @Test
    void shouldCarryEveryMessageThrough()
    {
        assertTrue(adapter.dispatch(proxy.buffer(), 0, proxy.fetch(1, 7, 2, 3, 2, 100, 42)));
        assertTrue(adapter.dispatch(proxy.buffer(), 0, proxy.progress(1, 7, 2, 3, 42, 150)));
        assertTrue(adapter.dispatch(proxy.buffer(), 0,
            proxy.fetchResponse(0, 7, 2, 3, 42, ReplicationError.DIVERGING, 2, 90, 0, 80)));
        final int header = proxy.dataHeader(0, 7, 2, 3, 42, 150, 140, 0);
        proxy.buffer().putStringWithoutLengthAscii(header, "batches");
        assertFalse(adapter.dispatch(proxy.buffer(), 0, header + 7), "the handler's back pressure is passed on");
        assertEquals(List.of(
            "fetch 1 7-2 e3 last2 @100 #42",
            "progress 1 7-2 e3 #42 @150",
            "response DIVERGING 2/90 hw80",
            "data @150 hw140 batches"), calls);
    }

    @Test
    void shouldReportWhatIsNotAReplicationMessageAndDeliverNothing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        assertTrue(adapter.dispatch(buffer, 0, 5)); // shorter than a header
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(8).templateId(1).schemaId(99).version(0);
        assertTrue(adapter.dispatch(buffer, 0, 64)); // another schema
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(8).templateId(77)
            .schemaId(MessageHeaderEncoder.SCHEMA_ID).version(0);
        assertTrue(adapter.dispatch(buffer, 0, 64)); // unknown template

        final int fetchLength = proxy.fetch(1, 7, 2, 3, 2, 100, 42);
        assertTrue(adapter.dispatch(proxy.buffer(), 0, fetchLength - 1)); // block cut short
        new ReplicaFetchEncoder().wrapAndApplyHeader(proxy.buffer(), 0, new MessageHeaderEncoder())
            .fromBroker(1).topicId(7).partition(-2).leaderEpoch(3).lastFetchedEpoch(2).fetchOffset(100).fetchId(1);
        assertTrue(adapter.dispatch(proxy.buffer(), 0, fetchLength)); // negative partition
        proxy.fetch(1, 7, 2, 3, 2, -5, 42);
        assertTrue(adapter.dispatch(proxy.buffer(), 0, fetchLength)); // negative offset

        final int responseLength = proxy.fetchResponse(0, 7, 2, 3, 42, ReplicationError.NONE, -1, -1, 0, 0);
        proxy.buffer().putShort(MessageHeaderEncoder.ENCODED_LENGTH +
            ReplicaFetchResponseEncoder.errorCodeEncodingOffset(), (short)999, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertTrue(adapter.dispatch(proxy.buffer(), 0, responseLength)); // unknown error code

        assertEquals(7, calls.size(), calls.toString());
        assertTrue(calls.stream().allMatch((call) -> call.startsWith("malformed: ")), calls.toString());
    }
}
