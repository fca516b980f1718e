package io.sluice.transport;

import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.FetchDataEncoder;
import io.sluice.codecs.client.GroupState;
import io.sluice.codecs.client.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The client's check of fetch data frames, which carry a uint32 records length like produce requests, and the
 * group responses the broker's {@link ClientResponseProxy} encodes read back field for field.
 */
class ClientResponseAdapterTest
{
    @ParameterizedTest
    @ValueSource(longs = {0x7FFF_FFFFL, 0x7FFF_FFF0L, 0x8000_0000L, 0xFFFF_FFFFL, 33})
    void shouldCountFetchDataAsMalformedWhenTheRecordsLengthRunsPastTheFrame(final long recordsLength)
    {
        final ClientResponseAdapter adapter = new ClientResponseAdapter();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = fetchData(buffer, 32);
        adapter.onFragment(buffer, 0, length, null);
        assertEquals(0, adapter.malformedResponses(), "the valid frame");

        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + FetchDataEncoder.BLOCK_LENGTH, (int)recordsLength,
            ByteOrder.LITTLE_ENDIAN);
        adapter.onFragment(buffer, 0, length, null);
        assertEquals(1, adapter.malformedResponses(), "records length " + recordsLength);
    }

    @Test
    void shouldDecodeEveryGroupResponseTheProxyEncodesWhenReadBack()
    {
        final ClientResponseProxy proxy = new ClientResponseProxy();
        final ClientResponseAdapter adapter = new ClientResponseAdapter();
        final List<String> calls = new ArrayList<>();
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onJoinGroupResponse(
                final long correlationId, final ErrorCode code, final int generation, final String memberId,
                final String message)
            {
                calls.add("join " + correlationId + " " + code + " " + generation + " " + memberId + " " + message);
            }

            public void onSyncGroupResponse(
                final long correlationId, final ErrorCode code, final int generation,
                final List<PartitionRef> assignment, final String message)
            {
                calls.add("sync " + correlationId + " " + code + " " + generation + " " + assignment + " " + message);
            }

            public void onGroupResponse(
                final long correlationId, final ErrorCode code, final int generation, final String message)
            {
                calls.add("group " + correlationId + " " + code + " " + generation + " " + message);
            }
        };
        adapter.listener(listener);
        adapter.onFragment(proxy.buffer(), 0, proxy.joinGroupResponse(1, ErrorCode.NONE, 3, "m-1", ""), null);
        adapter.onFragment(proxy.buffer(), 0, proxy.syncGroupResponse(2, ErrorCode.NONE, 3,
            List.of(new PartitionRef("a", 0), new PartitionRef("b", 7)), ""), null);
        adapter.onFragment(proxy.buffer(), 0, proxy.groupResponse(3, ErrorCode.REBALANCE_IN_PROGRESS, 3, "rejoin"),
            null);
        assertEquals(List.of("join 1 NONE 3 m-1 ", "sync 2 NONE 3 [a-0, b-7] ", "group 3 REBALANCE_IN_PROGRESS 3 rejoin"),
            calls);

        final GroupListing listing = new GroupListing("g", GroupState.STABLE, 2, 3, "range");
        adapter.await(4);
        adapter.onFragment(proxy.buffer(), 0, proxy.listGroupsResponse(4, List.of(listing)), null);
        assertEquals(List.of(listing), adapter.answerGroups());

        final GroupDescription description = new GroupDescription("g", GroupState.COMPLETING_REBALANCE, 3,
            "cooperative-sticky",
            List.of(new GroupDescription.Member("m-1", "c1", 10_000, List.of(new PartitionRef("a", 0))),
                new GroupDescription.Member("m-2", "c2", 6_000, List.of())),
            List.of(new GroupDescription.PartitionOffset(new PartitionRef("a", 0), 5, 9, "m-1"),
                new GroupDescription.PartitionOffset(new PartitionRef("a", 1), -1, 0, "")));
        adapter.await(5);
        adapter.onFragment(proxy.buffer(), 0, proxy.describeGroupResponse(5, ErrorCode.NONE, description, ""), null);
        assertEquals(description, adapter.answerGroup());
        assertEquals(4, adapter.answerGroup().offsets().get(0).lag());
        assertEquals(-1, adapter.answerGroup().offsets().get(1).lag());

        adapter.await(6);
        final int length = proxy.describeGroupResponse(6, ErrorCode.UNKNOWN_GROUP, null, "no group x");
        adapter.onFragment(proxy.buffer(), 0, length, null);
        assertEquals(ErrorCode.UNKNOWN_GROUP, adapter.answerCode());
        assertEquals("no group x", adapter.answerMessage());
        assertNull(adapter.answerGroup());

        // Cut short anywhere, the same response is counted as malformed, never half-read.
        final int fullLength = proxy.describeGroupResponse(7, ErrorCode.NONE, description, "");
        for (int cut = MessageHeaderEncoder.ENCODED_LENGTH; cut < fullLength; cut++)
        {
            adapter.await(7);
            final int malformed = adapter.malformedResponses();
            adapter.onFragment(proxy.buffer(), 0, cut, null);
            assertEquals(malformed + 1, adapter.malformedResponses(), "cut at " + cut);
            assertEquals(false, adapter.answered(), "cut at " + cut);
        }
    }

    private static int fetchData(final UnsafeBuffer buffer, final int recordsLength)
    {
        final FetchDataEncoder encoder = new FetchDataEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sessionId(1)
            .topicId(2)
            .partition(3)
            .fromOffset(0)
            .toOffset(0)
            .highWatermark(1)
            .putRecords(new byte[recordsLength], 0, recordsLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}
