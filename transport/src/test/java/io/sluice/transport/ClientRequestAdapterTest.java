package io.sluice.transport;

import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.ConnectRequestDecoder;
import io.sluice.codecs.client.ConnectRequestEncoder;
import io.sluice.codecs.client.CreateTopicRequestDecoder;
import io.sluice.codecs.client.CreateTopicRequestEncoder;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.DeleteTopicRequestEncoder;
import io.sluice.codecs.client.DescribeGroupRequestEncoder;
import io.sluice.codecs.client.DisconnectEncoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.FetchCloseEncoder;
import io.sluice.codecs.client.FetchCreditEncoder;
import io.sluice.codecs.client.FetchRequestEncoder;
import io.sluice.codecs.client.GroupHeartbeatRequestEncoder;
import io.sluice.codecs.client.HeartbeatEncoder;
import io.sluice.codecs.client.JoinGroupRequestDecoder;
import io.sluice.codecs.client.JoinGroupRequestEncoder;
import io.sluice.codecs.client.LeaveGroupRequestEncoder;
import io.sluice.codecs.client.ListGroupsRequestEncoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.MetadataRequestEncoder;
import io.sluice.codecs.client.OffsetCommitRequestEncoder;
import io.sluice.codecs.client.OffsetFetchRequestEncoder;
import io.sluice.codecs.client.OffsetForTimestampRequestEncoder;
import io.sluice.codecs.client.ProduceRequestEncoder;
import io.sluice.codecs.client.SyncGroupRequestEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Frames fed straight to {@link ClientRequestAdapter#dispatch}, no media driver: valid requests reach the listener
 * with their fields intact, and nothing malformed reaches it as anything but {@code onMalformed}.
 */
class ClientRequestAdapterTest
{
    private static final int SESSION_ID = 0x1234_5678;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final byte[] RECORDS = new byte[100];

    static
    {
        for (int i = 0; i < RECORDS.length; i++)
        {
            RECORDS[i] = (byte)(i * 7 + 1);
        }
    }

    /** A valid frame of one request type and what the recording listener must see for it. */
    record Frame(String name, int templateId, int blockLength, byte[] bytes, String expected, long correlationId)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    private final Recorder recorder = new Recorder();
    private final ClientRequestAdapter adapter = new ClientRequestAdapter(recorder, recorder.errors::add);

    // ------------------------------------------------------------------------------------------------ valid frames

    static List<Frame> frames()
    {
        final List<Frame> frames = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();

        final ConnectRequestEncoder connect = new ConnectRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(Long.MAX_VALUE)
            .protocolVersion(0)
            .responseStreamId(1002)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:40123")
            .clientName("tester-\u00fc");
        frames.add(frame("connect", buffer, connect.encodedLength(), ConnectRequestEncoder.TEMPLATE_ID,
            ConnectRequestEncoder.BLOCK_LENGTH, Long.MAX_VALUE,
            "connect s=" + SESSION_ID + " c=" + Long.MAX_VALUE +
                " v=0 stream=1002 channel=aeron:udp?endpoint=127.0.0.1:40123 name=tester-\u00fc"));

        final HeartbeatEncoder heartbeat = new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header)
            .timestampMs(123);
        frames.add(frame("heartbeat", buffer, heartbeat.encodedLength(), HeartbeatEncoder.TEMPLATE_ID,
            HeartbeatEncoder.BLOCK_LENGTH, -1, "heartbeat s=" + SESSION_ID));

        final DisconnectEncoder disconnect = new DisconnectEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(102);
        frames.add(frame("disconnect", buffer, disconnect.encodedLength(), DisconnectEncoder.TEMPLATE_ID,
            DisconnectEncoder.BLOCK_LENGTH, -1, "disconnect s=" + SESSION_ID));

        final MetadataRequestEncoder metadata = new MetadataRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(103)
            .includeConfig((short)1)
            .topic("orders");
        frames.add(frame("metadata", buffer, metadata.encodedLength(), MetadataRequestEncoder.TEMPLATE_ID,
            MetadataRequestEncoder.BLOCK_LENGTH, 103, "metadata s=" + SESSION_ID + " c=103 topic=orders config=true"));

        final MetadataRequestEncoder metadataAll = new MetadataRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(-103)
            .includeConfig((short)0)
            .topic("");
        frames.add(frame("metadata-all", buffer, metadataAll.encodedLength(), MetadataRequestEncoder.TEMPLATE_ID,
            MetadataRequestEncoder.BLOCK_LENGTH, -103, "metadata s=" + SESSION_ID + " c=-103 topic= config=false"));

        final CreateTopicRequestEncoder create = new CreateTopicRequestEncoder();
        final CreateTopicRequestEncoder.ConfigsEncoder configs = create.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(104)
            .partitions(3)
            .replicationFactor((short)1)
            .configsCount(2);
        configs.next().key("retention.ms").value("60000");
        configs.next().key("segment.bytes").value("1048576");
        create.topic("orders");
        frames.add(frame("create-topic", buffer, create.encodedLength(), CreateTopicRequestEncoder.TEMPLATE_ID,
            CreateTopicRequestEncoder.BLOCK_LENGTH, 104, "create s=" + SESSION_ID +
                " c=104 partitions=3 rf=1 configs={retention.ms=60000, segment.bytes=1048576} topic=orders"));

        final CreateTopicRequestEncoder createBare = new CreateTopicRequestEncoder();
        createBare.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(114)
            .partitions(-1)
            .replicationFactor((short)-3)
            .configsCount(0);
        createBare.topic("x");
        frames.add(frame("create-topic-no-configs", buffer, createBare.encodedLength(),
            CreateTopicRequestEncoder.TEMPLATE_ID, CreateTopicRequestEncoder.BLOCK_LENGTH, 114,
            "create s=" + SESSION_ID + " c=114 partitions=-1 rf=-3 configs={} topic=x"));

        final DeleteTopicRequestEncoder delete = new DeleteTopicRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(105)
            .topic("orders");
        frames.add(frame("delete-topic", buffer, delete.encodedLength(), DeleteTopicRequestEncoder.TEMPLATE_ID,
            DeleteTopicRequestEncoder.BLOCK_LENGTH, 105, "delete s=" + SESSION_ID + " c=105 topic=orders"));

        final ProduceRequestEncoder produce = new ProduceRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(106)
            .topicId(7)
            .partition(2)
            .acks(Acks.LEADER)
            .putRecords(RECORDS, 0, RECORDS.length);
        frames.add(frame("produce", buffer, produce.encodedLength(), ProduceRequestEncoder.TEMPLATE_ID,
            ProduceRequestEncoder.BLOCK_LENGTH, 106, "produce s=" + SESSION_ID + " c=106 topic=7 p=2 acks=1 records=" +
                HexFormat.of().formatHex(RECORDS)));

        final ProduceRequestEncoder produceEmpty = new ProduceRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(116)
            .topicId(-7)
            .partition(-2)
            .acks(Acks.NONE)
            .putRecords(RECORDS, 0, 0);
        frames.add(frame("produce-empty", buffer, produceEmpty.encodedLength(), ProduceRequestEncoder.TEMPLATE_ID,
            ProduceRequestEncoder.BLOCK_LENGTH, 116,
            "produce s=" + SESSION_ID + " c=116 topic=-7 p=-2 acks=0 records="));

        final FetchRequestEncoder fetch = new FetchRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(107)
            .sessionId(Long.MIN_VALUE)
            .topicId(7)
            .partition(2)
            .fetchOffset(-2)
            .creditMode(CreditMode.BYTES)
            .initialCredit(4096);
        frames.add(frame("fetch", buffer, fetch.encodedLength(), FetchRequestEncoder.TEMPLATE_ID,
            FetchRequestEncoder.BLOCK_LENGTH, -1, "fetch s=" + SESSION_ID + " c=107 fs=" + Long.MIN_VALUE +
                " topic=7 p=2 offset=-2 mode=1 credit=4096"));

        final FetchCreditEncoder credit = new FetchCreditEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(9)
            .credit(Long.MAX_VALUE);
        frames.add(frame("fetch-credit", buffer, credit.encodedLength(), FetchCreditEncoder.TEMPLATE_ID,
            FetchCreditEncoder.BLOCK_LENGTH, -1, "credit s=" + SESSION_ID + " fs=9 credit=" + Long.MAX_VALUE));

        final FetchCloseEncoder close = new FetchCloseEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(-9);
        frames.add(frame("fetch-close", buffer, close.encodedLength(), FetchCloseEncoder.TEMPLATE_ID,
            FetchCloseEncoder.BLOCK_LENGTH, -1, "close s=" + SESSION_ID + " fs=-9"));

        final OffsetCommitRequestEncoder commit = new OffsetCommitRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(108)
            .topicId(7)
            .partition(2)
            .committedOffset(42)
            .generation(5)
            .group("g1")
            .memberId("m-1");
        frames.add(frame("offset-commit", buffer, commit.encodedLength(), OffsetCommitRequestEncoder.TEMPLATE_ID,
            OffsetCommitRequestEncoder.BLOCK_LENGTH, 108,
            "commit s=" + SESSION_ID + " c=108 group=g1 member=m-1 gen=5 topic=7 p=2 offset=42"));

        final JoinGroupRequestEncoder join = new JoinGroupRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(111)
            .sessionTimeoutMs(10_000)
            .rebalanceTimeoutMs(30_000)
            .assignor(Assignor.COOPERATIVE_STICKY);
        join.topicsCount(2).next().topic("orders").next().topic("payments");
        join.ownedCount(1).next().partition(3).topic("orders");
        join.group("g1").memberId("m-1");
        frames.add(frame("join-group", buffer, join.encodedLength(), JoinGroupRequestEncoder.TEMPLATE_ID,
            JoinGroupRequestEncoder.BLOCK_LENGTH, 111, "join s=" + SESSION_ID +
                " c=111 session=10000 rebalance=30000 assignor=2 topics=[orders, payments] " +
                "owned=[orders-3] group=g1 member=m-1"));

        final SyncGroupRequestEncoder sync = new SyncGroupRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(112)
            .generation(6)
            .group("g1")
            .memberId("m-1");
        frames.add(frame("sync-group", buffer, sync.encodedLength(), SyncGroupRequestEncoder.TEMPLATE_ID,
            SyncGroupRequestEncoder.BLOCK_LENGTH, 112, "sync s=" + SESSION_ID + " c=112 group=g1 member=m-1 gen=6"));

        final GroupHeartbeatRequestEncoder groupHeartbeat = new GroupHeartbeatRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(113)
            .generation(6)
            .group("g1")
            .memberId("m-2");
        frames.add(frame("group-heartbeat", buffer, groupHeartbeat.encodedLength(),
            GroupHeartbeatRequestEncoder.TEMPLATE_ID, GroupHeartbeatRequestEncoder.BLOCK_LENGTH, 113,
            "groupHeartbeat s=" + SESSION_ID + " c=113 group=g1 member=m-2 gen=6"));

        final LeaveGroupRequestEncoder leave = new LeaveGroupRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(114)
            .group("g1")
            .memberId("m-3");
        frames.add(frame("leave-group", buffer, leave.encodedLength(), LeaveGroupRequestEncoder.TEMPLATE_ID,
            LeaveGroupRequestEncoder.BLOCK_LENGTH, 114, "leave s=" + SESSION_ID + " c=114 group=g1 member=m-3"));

        final ListGroupsRequestEncoder listGroups = new ListGroupsRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(115);
        frames.add(frame("list-groups", buffer, listGroups.encodedLength(), ListGroupsRequestEncoder.TEMPLATE_ID,
            ListGroupsRequestEncoder.BLOCK_LENGTH, -1, "listGroups s=" + SESSION_ID + " c=115"));

        final DescribeGroupRequestEncoder describeGroup = new DescribeGroupRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(117)
            .group("g1");
        frames.add(frame("describe-group", buffer, describeGroup.encodedLength(),
            DescribeGroupRequestEncoder.TEMPLATE_ID, DescribeGroupRequestEncoder.BLOCK_LENGTH, 117,
            "describeGroup s=" + SESSION_ID + " c=117 group=g1"));

        final OffsetFetchRequestEncoder offsetFetch = new OffsetFetchRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(109)
            .topicId(7)
            .partition(2)
            .group("g\u00e9");
        frames.add(frame("offset-fetch", buffer, offsetFetch.encodedLength(), OffsetFetchRequestEncoder.TEMPLATE_ID,
            OffsetFetchRequestEncoder.BLOCK_LENGTH, 109,
            "offsetFetch s=" + SESSION_ID + " c=109 group=g\u00e9 topic=7 p=2"));

        final OffsetForTimestampRequestEncoder offsetForTimestamp = new OffsetForTimestampRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, header)
            .correlationId(110)
            .topicId(7)
            .partition(3)
            .timestamp(1_700_000_000_123L);
        frames.add(frame("offset-for-timestamp", buffer, offsetForTimestamp.encodedLength(),
            OffsetForTimestampRequestEncoder.TEMPLATE_ID, OffsetForTimestampRequestEncoder.BLOCK_LENGTH, 110,
            "offsetForTimestamp s=" + SESSION_ID + " c=110 topic=7 p=3 ts=1700000000123"));
        return frames;
    }

    private static Frame frame(
        final String name,
        final UnsafeBuffer buffer,
        final int bodyLength,
        final int templateId,
        final int blockLength,
        final long correlationId,
        final String expected)
    {
        final byte[] bytes = new byte[HEADER + bodyLength];
        buffer.getBytes(0, bytes);
        return new Frame(name, templateId, blockLength, bytes, expected, correlationId);
    }

    private static Frame frame(final String name)
    {
        return frames().stream().filter((f) -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("frames")
    void shouldDeliverTheRequestWithEveryFieldWhenTheFrameIsValid(final Frame frame)
    {
        assertTrue(adapter.dispatch(new UnsafeBuffer(frame.bytes()), 0, frame.bytes().length, SESSION_ID));
        assertEquals(List.of(frame.expected()), recorder.calls);

        // Same frame in the middle of a larger buffer with other bytes around it, as in an Aeron term.
        recorder.calls.clear();
        final UnsafeBuffer term = new UnsafeBuffer(new byte[8192]);
        term.setMemory(0, term.capacity(), (byte)0x5A);
        term.putBytes(1000, frame.bytes());
        assertTrue(adapter.dispatch(term, 1000, frame.bytes().length, SESSION_ID));
        assertEquals(List.of(frame.expected()), recorder.calls);
        assertEquals(List.of(), recorder.errors);
    }

    @Test
    void shouldPassTheProduceRecordsInPlaceWhenTheFrameIsInsideALargerBuffer()
    {
        final Frame frame = frame("produce");
        final UnsafeBuffer term = new UnsafeBuffer(new byte[4096]);
        term.putBytes(640, frame.bytes());
        adapter.dispatch(term, 640, frame.bytes().length, SESSION_ID);
        assertSame(term, recorder.produceBuffer);
        assertEquals(640 + HEADER + ProduceRequestEncoder.BLOCK_LENGTH + 4, recorder.produceOffset);
        assertEquals(RECORDS.length, recorder.produceLength);
    }

    @Test
    void shouldPassFieldValuesThroughUncheckedWhenTheyAreOutOfRange()
    {
        final Frame produce = frame("produce");
        final UnsafeBuffer buffer = new UnsafeBuffer(produce.bytes().clone());
        buffer.putByte(HEADER + ProduceRequestEncoder.acksEncodingOffset(), (byte)7);
        adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
        assertTrue(recorder.calls.get(0).contains(" acks=7 "), recorder.calls.toString());

        final Frame fetch = frame("fetch");
        final UnsafeBuffer fetchBuffer = new UnsafeBuffer(fetch.bytes().clone());
        fetchBuffer.putByte(HEADER + FetchRequestEncoder.creditModeEncodingOffset(), (byte)0xFF);
        adapter.dispatch(fetchBuffer, 0, fetchBuffer.capacity(), SESSION_ID);
        assertTrue(recorder.calls.get(1).contains(" mode=255 "), recorder.calls.toString());
    }

    @ParameterizedTest
    @MethodSource("frames")
    void shouldDeliverTheRequestWhenTheBlockIsLongerThanThisBuildKnows(final Frame frame)
    {
        final int extra = 6;
        final byte[] bytes = new byte[frame.bytes().length + extra];
        final int blockEnd = HEADER + frame.blockLength();
        System.arraycopy(frame.bytes(), 0, bytes, 0, blockEnd);
        Arrays.fill(bytes, blockEnd, blockEnd + extra, (byte)0x77);
        System.arraycopy(frame.bytes(), blockEnd, bytes, blockEnd + extra, frame.bytes().length - blockEnd);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putShort(0, (short)(frame.blockLength() + extra), LE);

        adapter.dispatch(buffer, 0, bytes.length, SESSION_ID);
        assertEquals(List.of(frame.expected()), recorder.calls);
    }

    // ------------------------------------------------------------------------------------------------ bad headers

    @Test
    void shouldReportMalformedFrameWhenShorterThanAHeader()
    {
        final byte[] heartbeat = frame("heartbeat").bytes();
        for (int length = 0; length < HEADER; length++)
        {
            recorder.calls.clear();
            assertTrue(adapter.dispatch(new UnsafeBuffer(Arrays.copyOf(heartbeat, length)), 0, length, SESSION_ID));
            assertMalformed(ErrorCode.MALFORMED_FRAME, -1, -1);
            recorder.calls.clear();
            assertTrue(adapter.dispatch(new UnsafeBuffer(heartbeat), 0, length, SESSION_ID));
            assertMalformed(ErrorCode.MALFORMED_FRAME, -1, -1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 101, 103, 0xFFFF})
    void shouldReportUnknownMessageWhenTheSchemaIdIsNotTheClientProtocol(final int schemaId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame("produce").bytes().clone());
        buffer.putShort(4, (short)schemaId, LE);
        adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
        assertMalformed(ErrorCode.UNKNOWN_MESSAGE, -1, ProduceRequestEncoder.TEMPLATE_ID);
        assertTrue(recorder.malformed.message().contains(String.valueOf(schemaId)), recorder.malformed.message());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 0xFFFF})
    void shouldReportUnsupportedVersionWhenTheVersionIsNewer(final int version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame("connect").bytes().clone());
        buffer.putShort(6, (short)version, LE);
        adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
        assertMalformed(ErrorCode.UNSUPPORTED_VERSION, -1, ConnectRequestEncoder.TEMPLATE_ID);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 5, 9, 11, 14, 15, 21, 31, 34, 35, 42, 999, 0xFFFF})
    void shouldReportUnknownMessageWhenTheTemplateIsNotARequest(final int templateId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame("fetch").bytes().clone());
        buffer.putShort(2, (short)templateId, LE);
        adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
        assertMalformed(ErrorCode.UNKNOWN_MESSAGE, -1, templateId);
    }

    @ParameterizedTest
    @MethodSource("frames")
    void shouldReportMalformedFrameWhenTheBlockLengthIsTooSmall(final Frame frame)
    {
        for (final int blockLength : new int[]{0, frame.blockLength() - 1})
        {
            recorder.calls.clear();
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes().clone());
            buffer.putShort(0, (short)blockLength, LE);
            adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
            assertMalformed(ErrorCode.MALFORMED_FRAME, -1, frame.templateId());
        }
    }

    @ParameterizedTest
    @MethodSource("frames")
    void shouldReportMalformedFrameWhenTheBlockLengthIsLargerThanTheBody(final Frame frame)
    {
        final int bodyLength = frame.bytes().length - HEADER;
        for (final int blockLength : new int[]{bodyLength + 1, 0xFFFF})
        {
            recorder.calls.clear();
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes().clone());
            buffer.putShort(0, (short)blockLength, LE);
            adapter.dispatch(buffer, 0, buffer.capacity(), SESSION_ID);
            assertMalformed(ErrorCode.MALFORMED_FRAME, -1, frame.templateId());

            // Also with readable bytes after the frame, which a bounds check on the buffer would not catch.
            recorder.calls.clear();
            final UnsafeBuffer term = new UnsafeBuffer(new byte[HEADER + 0x10000 + 64]);
            term.putBytes(0, buffer, 0, buffer.capacity());
            adapter.dispatch(term, 0, buffer.capacity(), SESSION_ID);
            assertMalformed(ErrorCode.MALFORMED_FRAME, -1, frame.templateId());
        }
    }

    // ------------------------------------------------------------------------------------------------ bad lengths

    @Test
    void shouldReportMalformedFrameWhenAVarDataLengthRunsPastTheFrame()
    {
        final Frame metadata = frame("metadata");
        assertOverrun(metadata, HEADER + MetadataRequestEncoder.BLOCK_LENGTH, 2);

        final Frame connect = frame("connect");
        final int channelLengthAt = HEADER + ConnectRequestEncoder.BLOCK_LENGTH;
        assertOverrun(connect, channelLengthAt, 2);
        final int channelLength = new UnsafeBuffer(connect.bytes()).getShort(channelLengthAt, LE);
        assertOverrun(connect, channelLengthAt + 2 + channelLength, 2);

        final Frame delete = frame("delete-topic");
        assertOverrun(delete, HEADER + DeleteTopicRequestEncoder.BLOCK_LENGTH, 2);
        final Frame commit = frame("offset-commit");
        assertOverrun(commit, HEADER + OffsetCommitRequestEncoder.BLOCK_LENGTH, 2);
        final Frame offsetFetch = frame("offset-fetch");
        assertOverrun(offsetFetch, HEADER + OffsetFetchRequestEncoder.BLOCK_LENGTH, 2);

        final Frame create = frame("create-topic");
        final int groupAt = HEADER + CreateTopicRequestEncoder.BLOCK_LENGTH;
        assertOverrun(create, groupAt, 2); // the group's block length: 0 for configs, anything more runs past
        assertOverrun(create, groupAt + 2, 2); // the group's count
        assertOverrun(create, groupAt + 4, 2); // the first key's length
        final int keyLength = new UnsafeBuffer(create.bytes()).getShort(groupAt + 4, LE);
        assertOverrun(create, groupAt + 4 + 2 + keyLength, 2); // the first value's length
        assertOverrun(create, create.bytes().length - 2 - "orders".length(), 2); // the topic's length

        final Frame produce = frame("produce");
        assertOverrun(produce, HEADER + ProduceRequestEncoder.BLOCK_LENGTH, 4);
    }

    @ParameterizedTest
    @ValueSource(longs = {0x8000_0000L, 0x8000_0001L, 0xC000_0000L, 0xFFFF_FFFFL})
    void shouldReportMalformedFrameWhenTheProduceRecordsLengthIsTwoGiBOrMore(final long recordsLength)
    {
        assertProduceRecordsLengthRejected(recordsLength);
    }

    @ParameterizedTest
    @ValueSource(longs = {0x7FFF_FFFFL, 0x7FFF_FFF0L, 0x7FFF_FFE0L, 0x7FFF_0000L, 0x4000_0000L, 0x4000_0001L, 101})
    void shouldReportMalformedFrameWhenTheProduceRecordsLengthIsLargeEnoughToOverflowTheFrameEnd(
        final long recordsLength)
    {
        assertProduceRecordsLengthRejected(recordsLength);
    }

    private void assertProduceRecordsLengthRejected(final long recordsLength)
    {
        final Frame produce = frame("produce");
        for (final int at : new int[]{0, 32, 4096, 1 << 20})
        {
            recorder.calls.clear();
            final UnsafeBuffer term = new UnsafeBuffer(new byte[at + produce.bytes().length + 256]);
            term.putBytes(at, produce.bytes());
            term.putInt(at + HEADER + ProduceRequestEncoder.BLOCK_LENGTH, (int)recordsLength, LE);
            adapter.dispatch(term, at, produce.bytes().length, SESSION_ID);
            assertMalformed(ErrorCode.MALFORMED_FRAME, 106, ProduceRequestEncoder.TEMPLATE_ID);
        }
    }

    @ParameterizedTest
    @MethodSource("frames")
    void shouldReportMalformedFrameWhenAValidFrameIsTruncatedAtAnyLength(final Frame frame)
    {
        final byte[] bytes = frame.bytes();
        for (int length = 0; length < bytes.length; length++)
        {
            // The bytes beyond the frame still readable, as in a term buffer ...
            recorder.calls.clear();
            assertTrue(adapter.dispatch(new UnsafeBuffer(bytes), 0, length, SESSION_ID));
            assertTruncated(frame, length);

            // ... and the buffer ending where the frame does.
            recorder.calls.clear();
            assertTrue(adapter.dispatch(new UnsafeBuffer(Arrays.copyOf(bytes, length)), 0, length, SESSION_ID));
            assertTruncated(frame, length);
        }
        assertEquals(List.of(), recorder.errors);
    }

    private void assertTruncated(final Frame frame, final int length)
    {
        assertEquals(1, recorder.calls.size(), frame + " truncated to " + length + ": " + recorder.calls);
        assertTrue(recorder.calls.get(0).startsWith("malformed"), frame + " truncated to " + length + ": " +
            recorder.calls);
        assertEquals(ErrorCode.MALFORMED_FRAME, recorder.malformed.errorCode(), frame + " truncated to " + length);
        assertEquals(length < HEADER ? -1 : frame.templateId(), recorder.malformed.templateId());
        final long correlationId = recorder.malformed.correlationId();
        assertTrue(correlationId == -1 || correlationId == frame.correlationId(),
            frame + " truncated to " + length + " reports correlation id " + correlationId);
    }

    // ------------------------------------------------------------------------------------------------ fuzz

    @Test
    void shouldNeverThrowWhenFedRandomAndMutatedFrames()
    {
        final Random random = new Random(0x51_0C_E5L);
        final List<Frame> frames = frames();
        final UnsafeBuffer term = new UnsafeBuffer(new byte[64 * 1024]);
        int delivered = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] bytes = fuzzFrame(random, frames);
            recorder.calls.clear();
            recorder.produceBuffer = null;
            final int at;
            final DirectBuffer buffer;
            if (random.nextBoolean())
            {
                buffer = new UnsafeBuffer(bytes);
                at = 0;
            }
            else
            {
                random.nextBytes(term.byteArray());
                at = random.nextInt(term.capacity() - bytes.length + 1);
                term.putBytes(at, bytes);
                buffer = term;
            }
            try
            {
                adapter.dispatch(buffer, at, bytes.length, SESSION_ID);
            }
            catch (final RuntimeException ex)
            {
                fail("iteration " + i + " threw on frame " + HexFormat.of().formatHex(bytes), ex);
            }
            assertEquals(1, recorder.calls.size(), "one callback for iteration " + i + ": " + recorder.calls);
            if (null != recorder.produceBuffer)
            {
                assertTrue(recorder.produceLength >= 0 && recorder.produceOffset >= at + HEADER &&
                    recorder.produceOffset + (long)recorder.produceLength <= at + bytes.length,
                    "records inside the frame, iteration " + i);
            }
            if (!recorder.calls.get(0).startsWith("malformed"))
            {
                delivered++;
            }
        }
        assertEquals(List.of(), recorder.errors);
        assertTrue(delivered > 100, "some mutated frames are still valid requests: " + delivered);
    }

    private static byte[] fuzzFrame(final Random random, final List<Frame> frames)
    {
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            final byte[] bytes = new byte[random.nextInt(128)];
            random.nextBytes(bytes);
            return bytes;
        }
        if (kind == 1)
        {
            // A plausible header for a request template, then random bytes.
            final byte[] bytes = new byte[HEADER + random.nextInt(200)];
            random.nextBytes(bytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final Frame frame = frames.get(random.nextInt(frames.size()));
            buffer.putShort(0, (short)(random.nextBoolean() ? frame.blockLength() : random.nextInt(64)), LE);
            buffer.putShort(2, (short)frame.templateId(), LE);
            buffer.putShort(4, (short)MessageHeaderEncoder.SCHEMA_ID, LE);
            buffer.putShort(6, (short)0, LE);
            return bytes;
        }

        byte[] bytes = frames.get(random.nextInt(frames.size())).bytes().clone();
        final int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            switch (random.nextInt(6))
            {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte)random.nextInt();
                case 2 ->
                {
                    if (bytes.length >= HEADER + 2)
                    {
                        final int at = HEADER + random.nextInt(bytes.length - HEADER - 1);
                        buffer.putShort(at, (short)(random.nextBoolean() ? random.nextInt() : random.nextInt(8)), LE);
                    }
                }
                case 3 ->
                {
                    if (bytes.length >= HEADER + 4)
                    {
                        final int at = HEADER + random.nextInt(bytes.length - HEADER - 3);
                        buffer.putInt(at, random.nextBoolean() ? random.nextInt() : random.nextInt(256), LE);
                    }
                }
                case 4 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                default ->
                {
                    final int extra = random.nextInt(32);
                    final int length = bytes.length;
                    bytes = Arrays.copyOf(bytes, length + extra);
                    for (int b = length; b < bytes.length; b++)
                    {
                        bytes[b] = (byte)random.nextInt();
                    }
                }
            }
            if (bytes.length == 0)
            {
                break;
            }
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------------ onFragment

    @Test
    void shouldHandAListenerExceptionToTheErrorHandlerAndContinueWhenTheListenerThrows()
    {
        final Header header = header(4242);
        final Frame produce = frame("produce");
        final IllegalArgumentException thrown = new IllegalArgumentException("listener bug");
        recorder.toThrow = thrown;

        final Action action = adapter.onFragment(new UnsafeBuffer(produce.bytes()), 0, produce.bytes().length, header);

        assertEquals(Action.CONTINUE, action);
        assertEquals(List.of(thrown), recorder.errors);
        assertEquals(1, recorder.calls.size());
        assertTrue(recorder.calls.get(0).startsWith("produce s=4242 "), recorder.calls.toString());
    }

    @Test
    void shouldReportAListenerIllegalStateExceptionAsTheBrokersFailureNotAMalformedFrame()
    {
        final Frame produce = frame("produce");
        final IllegalStateException thrown = new IllegalStateException("broker bug");
        recorder.toThrow = thrown;

        final Action action = adapter.onFragment(new UnsafeBuffer(produce.bytes()), 0, produce.bytes().length, header(7));

        assertEquals(Action.CONTINUE, action);
        assertEquals(List.of(thrown), recorder.errors);
        assertEquals(1, recorder.calls.size(), "no onMalformed after the listener threw: " + recorder.calls);
    }

    @Test
    void shouldHandAnExceptionFromOnMalformedToTheErrorHandlerWhenTheListenerThrows()
    {
        final IllegalStateException thrown = new IllegalStateException("listener bug");
        recorder.toThrow = thrown;

        final Action action = adapter.onFragment(new UnsafeBuffer(new byte[3]), 0, 3, header(1));

        assertEquals(Action.CONTINUE, action);
        assertEquals(List.of(thrown), recorder.errors);
    }

    @Test
    void shouldAbortTheFragmentWhenTheListenerDoesNotTakeTheRequest()
    {
        final Frame fetch = frame("fetch");
        recorder.result = false;
        assertEquals(Action.ABORT,
            adapter.onFragment(new UnsafeBuffer(fetch.bytes()), 0, fetch.bytes().length, header(5)));
        recorder.result = true;
        assertEquals(Action.CONTINUE,
            adapter.onFragment(new UnsafeBuffer(fetch.bytes()), 0, fetch.bytes().length, header(5)));
        assertEquals(2, recorder.calls.size());
        assertEquals(List.of(), recorder.errors);
    }

    private static Header header(final int sessionId)
    {
        final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        new DataHeaderFlyweight(headerBuffer).sessionId(sessionId);
        final Header header = new Header(0, 16);
        header.buffer(headerBuffer);
        header.offset(0);
        return header;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void assertOverrun(final Frame frame, final int lengthAt, final int lengthBytes)
    {
        final int remaining = frame.bytes().length - lengthAt - lengthBytes;
        final long[] lengths = lengthBytes == 2 ?
            new long[]{remaining + 1, remaining + 100, 0x7FFF, 0xFFFF} :
            new long[]{remaining + 1, 0x7FFF_FFFFL, 0xFFFF_FFFFL};
        for (final long length : lengths)
        {
            for (final boolean roomAfter : new boolean[]{false, true})
            {
                recorder.calls.clear();
                final byte[] bytes = Arrays.copyOf(frame.bytes(), frame.bytes().length + (roomAfter ? 0x20000 : 0));
                final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
                if (lengthBytes == 2)
                {
                    buffer.putShort(lengthAt, (short)length, LE);
                }
                else
                {
                    buffer.putInt(lengthAt, (int)length, LE);
                }
                assertTrue(adapter.dispatch(buffer, 0, frame.bytes().length, SESSION_ID));
                final String what = frame + " with length " + length + " at " + lengthAt +
                    (roomAfter ? " and bytes after the frame" : "");
                assertEquals(1, recorder.calls.size(), what + ": " + recorder.calls);
                assertTrue(recorder.calls.get(0).startsWith("malformed"), what + ": " + recorder.calls);
                assertEquals(ErrorCode.MALFORMED_FRAME, recorder.malformed.errorCode(), what);
                assertEquals(frame.templateId(), recorder.malformed.templateId(), what);
                final long correlationId = recorder.malformed.correlationId();
                assertTrue(correlationId == -1 || correlationId == frame.correlationId(), what);
            }
        }
    }

    private void assertMalformed(final ErrorCode errorCode, final long correlationId, final int templateId)
    {
        assertEquals(1, recorder.calls.size(), recorder.calls.toString());
        assertTrue(recorder.calls.get(0).startsWith("malformed"), recorder.calls.toString());
        assertEquals(SESSION_ID, recorder.malformed.sessionId());
        assertEquals(errorCode, recorder.malformed.errorCode(), recorder.malformed.message());
        assertEquals(correlationId, recorder.malformed.correlationId(), recorder.malformed.message());
        assertEquals(templateId, recorder.malformed.templateId(), recorder.malformed.message());
        assertTrue(!recorder.malformed.message().isEmpty());
        assertEquals(List.of(), recorder.errors);
    }

    record Malformed(int sessionId, long correlationId, int templateId, ErrorCode errorCode, String message)
    {
    }

    /** Records every call as one line; reads the decoders the way the broker does, in schema order. */
    static final class Recorder implements ClientRequestListener
    {
        final List<String> calls = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        Malformed malformed;
        DirectBuffer produceBuffer;
        int produceOffset;
        int produceLength;
        boolean result = true;
        RuntimeException toThrow;

        private boolean record(final String call)
        {
            calls.add(call);
            if (null != toThrow)
            {
                throw toThrow;
            }
            return result;
        }

        public boolean onConnect(final int sessionId, final long correlationId, final ConnectRequestDecoder decoder)
        {
            final int version = decoder.protocolVersion();
            final int streamId = decoder.responseStreamId();
            final String channel = decoder.responseChannel();
            final String name = decoder.clientName();
            return record("connect s=" + sessionId + " c=" + correlationId + " v=" + version + " stream=" + streamId +
                " channel=" + channel + " name=" + name);
        }

        public boolean onHeartbeat(final int sessionId)
        {
            return record("heartbeat s=" + sessionId);
        }

        public boolean onDisconnect(final int sessionId)
        {
            return record("disconnect s=" + sessionId);
        }

        public boolean onMetadata(
            final int sessionId, final long correlationId, final String topic, final boolean includeConfig)
        {
            return record("metadata s=" + sessionId + " c=" + correlationId + " topic=" + topic +
                " config=" + includeConfig);
        }

        public boolean onCreateTopic(
            final int sessionId,
            final long correlationId,
            final int partitions,
            final int replicationFactor,
            final CreateTopicRequestDecoder decoder)
        {
            final Map<String, String> configs = new LinkedHashMap<>();
            for (final CreateTopicRequestDecoder.ConfigsDecoder config : decoder.configs())
            {
                final String key = config.key();
                configs.put(key, config.value());
            }
            final String topic = decoder.topic();
            return record("create s=" + sessionId + " c=" + correlationId + " partitions=" + partitions +
                " rf=" + replicationFactor + " configs=" + configs + " topic=" + topic);
        }

        public boolean onDeleteTopic(final int sessionId, final long correlationId, final String topic)
        {
            return record("delete s=" + sessionId + " c=" + correlationId + " topic=" + topic);
        }

        public boolean onProduce(
            final int sessionId,
            final long correlationId,
            final int topicId,
            final int partition,
            final short acks,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            produceBuffer = buffer;
            produceOffset = offset;
            produceLength = length;
            String records = "?";
            if (length >= 0 && length <= 4096 && offset >= 0 && offset + length <= buffer.capacity())
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                records = HexFormat.of().formatHex(bytes);
            }
            return record("produce s=" + sessionId + " c=" + correlationId + " topic=" + topicId + " p=" + partition +
                " acks=" + acks + " records=" + records);
        }

        public boolean onFetch(
            final int sessionId,
            final long correlationId,
            final long fetchSessionId,
            final int topicId,
            final int partition,
            final long fetchOffset,
            final short creditMode,
            final long initialCredit)
        {
            return record("fetch s=" + sessionId + " c=" + correlationId + " fs=" + fetchSessionId + " topic=" +
                topicId + " p=" + partition + " offset=" + fetchOffset + " mode=" + creditMode + " credit=" +
                initialCredit);
        }

        public boolean onFetchCredit(final int sessionId, final long fetchSessionId, final long credit)
        {
            return record("credit s=" + sessionId + " fs=" + fetchSessionId + " credit=" + credit);
        }

        public boolean onFetchClose(final int sessionId, final long fetchSessionId)
        {
            return record("close s=" + sessionId + " fs=" + fetchSessionId);
        }

        public boolean onOffsetCommit(
            final int sessionId,
            final long correlationId,
            final String group,
            final String memberId,
            final int generation,
            final int topicId,
            final int partition,
            final long offset)
        {
            return record("commit s=" + sessionId + " c=" + correlationId + " group=" + group + " member=" +
                memberId + " gen=" + generation + " topic=" + topicId + " p=" + partition + " offset=" + offset);
        }

        public boolean onJoinGroup(final int sessionId, final long correlationId, final JoinGroupRequestDecoder d)
        {
            final int sessionTimeoutMs = d.sessionTimeoutMs();
            final int rebalanceTimeoutMs = d.rebalanceTimeoutMs();
            final short assignor = d.assignorRaw(); // the broker's to validate, as with every enum
            final List<String> topics = new ArrayList<>();
            for (final JoinGroupRequestDecoder.TopicsDecoder topic : d.topics())
            {
                topics.add(topic.topic());
            }
            final List<PartitionRef> owned = new ArrayList<>();
            for (final JoinGroupRequestDecoder.OwnedDecoder o : d.owned())
            {
                final int partition = o.partition();
                owned.add(new PartitionRef(o.topic(), partition));
            }
            final String group = d.group();
            return record("join s=" + sessionId + " c=" + correlationId + " session=" + sessionTimeoutMs +
                " rebalance=" + rebalanceTimeoutMs + " assignor=" + assignor + " topics=" + topics + " owned=" +
                owned + " group=" + group + " member=" + d.memberId());
        }

        public boolean onSyncGroup(
            final int sessionId, final long correlationId, final String group, final String memberId, final int gen)
        {
            return record("sync s=" + sessionId + " c=" + correlationId + " group=" + group + " member=" + memberId +
                " gen=" + gen);
        }

        public boolean onGroupHeartbeat(
            final int sessionId, final long correlationId, final String group, final String memberId, final int gen)
        {
            return record("groupHeartbeat s=" + sessionId + " c=" + correlationId + " group=" + group + " member=" +
                memberId + " gen=" + gen);
        }

        public boolean onLeaveGroup(
            final int sessionId, final long correlationId, final String group, final String memberId)
        {
            return record("leave s=" + sessionId + " c=" + correlationId + " group=" + group + " member=" + memberId);
        }

        public boolean onListGroups(final int sessionId, final long correlationId)
        {
            return record("listGroups s=" + sessionId + " c=" + correlationId);
        }

        public boolean onDescribeGroup(final int sessionId, final long correlationId, final String group)
        {
            return record("describeGroup s=" + sessionId + " c=" + correlationId + " group=" + group);
        }

        public boolean onOffsetFetch(
            final int sessionId, final long correlationId, final String group, final int topicId, final int partition)
        {
            return record("offsetFetch s=" + sessionId + " c=" + correlationId + " group=" + group + " topic=" +
                topicId + " p=" + partition);
        }

        public boolean onOffsetForTimestamp(
            final int sessionId, final long correlationId, final int topicId, final int partition, final long timestamp)
        {
            return record("offsetForTimestamp s=" + sessionId + " c=" + correlationId + " topic=" + topicId +
                " p=" + partition + " ts=" + timestamp);
        }

        public boolean onMalformed(
            final int sessionId,
            final long correlationId,
            final int templateId,
            final ErrorCode errorCode,
            final String message)
        {
            malformed = new Malformed(sessionId, correlationId, templateId, errorCode, message);
            return record("malformed s=" + sessionId + " c=" + correlationId + " t=" + templateId + " " + errorCode +
                " " + message);
        }
    }
}
