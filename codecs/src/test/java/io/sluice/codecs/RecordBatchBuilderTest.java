package io.sluice.codecs;

import io.sluice.codecs.RecordBatchFixtures.BufferKind;
import io.sluice.codecs.RecordBatchFixtures.Producer;
import io.sluice.codecs.RecordBatchFixtures.Region;
import io.sluice.codecs.RecordBatchFixtures.TestHeader;
import io.sluice.codecs.RecordBatchFixtures.TestRecord;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.sluice.codecs.RecordBatchFixtures.assertSbeDecodes;
import static io.sluice.codecs.RecordBatchFixtures.assertViewReads;
import static io.sluice.codecs.RecordBatchFixtures.build;
import static io.sluice.codecs.RecordBatchFixtures.bytes;
import static io.sluice.codecs.RecordBatchFixtures.copy;
import static io.sluice.codecs.RecordBatchFixtures.encodeWithSbe;
import static io.sluice.codecs.RecordBatchFixtures.expectedBatchLength;
import static io.sluice.codecs.RecordBatchFixtures.randomBytes;
import static io.sluice.codecs.RecordBatchFixtures.randomRecords;
import static io.sluice.codecs.RecordBatchDescriptor.verify;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordBatchBuilderTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final long TWO_TO_31 = 1L << 31;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final RecordBatchBuilder builder = new RecordBatchBuilder();

    // ---------------------------------------------------------------------------------------------------------------
    // Round trips
    // ---------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripWhenBatchHasOneRecord(final BufferKind kind)
    {
        assertRoundTrip(kind, Producer.NONE, List.of(TestRecord.of(T0, bytes("key"), bytes("value"))));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripWhenBatchHasSixtyFourRecords(final BufferKind kind)
    {
        assertRoundTrip(kind, Producer.NONE, randomRecords(new Random(64), 64, T0));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripWhenKeysAndValuesAreNullOrEmpty(final BufferKind kind)
    {
        assertRoundTrip(kind, Producer.NONE, List.of(
            TestRecord.of(T0, null, bytes("value of a null key")),
            TestRecord.of(T0 + 1, bytes("tombstone"), null),
            TestRecord.of(T0 + 2, null, null),
            TestRecord.of(T0 + 3, new byte[0], new byte[0]),
            TestRecord.of(T0 + 4, new byte[0], null),
            TestRecord.of(T0 + 5, null, new byte[0]),
            TestRecord.of(T0 + 6, bytes("k"), bytes("v"))));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripWhenRecordsHaveHeadersOfSeveralSizes(final BufferKind kind)
    {
        final Random random = new Random(7);
        final int[] sizes = { 0, 1, 7, 255, 256, 1000, 4099 };
        final List<TestRecord> records = new ArrayList<>();
        records.add(new TestRecord(T0, bytes("no headers"), bytes("v"), List.of()));
        records.add(new TestRecord(T0, bytes("one"), bytes("v"),
            List.of(new TestHeader(bytes("trace-id"), bytes("0af7651916cd43dd8448eb211c80319c")))));
        records.add(new TestRecord(T0, null, null, List.of(new TestHeader(new byte[0], new byte[0]))));
        for (final int keySize : sizes)
        {
            final List<TestHeader> headers = new ArrayList<>();
            for (final int valueSize : sizes)
            {
                headers.add(new TestHeader(randomBytes(random, keySize), randomBytes(random, valueSize)));
            }
            records.add(new TestRecord(T0 + keySize, randomBytes(random, keySize), null, headers));
        }
        final List<TestHeader> many = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            many.add(new TestHeader(bytes("h" + i), randomBytes(random, i % 17)));
        }
        records.add(new TestRecord(T0 - 1, bytes("many"), new byte[0], many));

        assertRoundTrip(kind, Producer.NONE, records);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripProducerFieldsWhenProducerIsIdempotent(final BufferKind kind)
    {
        final List<TestRecord> records = randomRecords(new Random(3), 5, T0);
        assertRoundTrip(kind, new Producer(4_611_686_018_427_387_903L, (short)32_767, 2_147_483_000), records);
        assertRoundTrip(kind, new Producer(0, (short)0, 0), records);
        assertRoundTrip(kind, new Producer(Long.MIN_VALUE, Short.MIN_VALUE, Integer.MIN_VALUE), records);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripTimestampsWhenOutOfOrderAndAtTheDeltaLimits(final BufferKind kind)
    {
        assertRoundTrip(kind, Producer.NONE, List.of(
            TestRecord.of(T0, bytes("a"), bytes("first")),
            TestRecord.of(T0 - 1, bytes("b"), bytes("earlier")),
            TestRecord.of(T0 + Integer.MAX_VALUE, bytes("c"), bytes("latest, delta 2^31 - 1")),
            TestRecord.of(T0 + Integer.MIN_VALUE, bytes("d"), bytes("earliest, delta -2^31")),
            TestRecord.of(T0, bytes("e"), bytes("same as first"))));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripTimestampsWhenBeforeTheEpoch(final BufferKind kind)
    {
        assertRoundTrip(kind, Producer.NONE, List.of(
            TestRecord.of(-5, null, bytes("x")),
            TestRecord.of(-10, null, bytes("y")),
            TestRecord.of(-5 - (long)Integer.MAX_VALUE, null, null),
            TestRecord.of(-1, bytes("k"), null)));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRoundTripWhenValueIsLarge(final BufferKind kind)
    {
        final Random random = new Random(11);
        assertRoundTrip(kind, Producer.NONE, List.of(
            TestRecord.of(T0, bytes("big"), randomBytes(random, 1 << 20)),
            TestRecord.of(T0 + 1, randomBytes(random, 70_000), bytes("small"))));
    }

    @Test
    void shouldProduceTheSameBytesWhenEncodedThroughEveryAppendPath()
    {
        final List<TestRecord> records = randomRecords(new Random(21), 30, T0);
        final int length = expectedBatchLength(records);
        final byte[] reference = new byte[length];
        encodeWithSbe(new UnsafeBuffer(reference), 0, Producer.NONE, records);

        for (int shift = 0; shift < 3; shift++)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
            builder.wrap(buffer, 0, length);
            for (int i = 0; i < records.size(); i++)
            {
                assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(i), i + shift));
            }
            assertEquals(length, builder.build());
            assertArrayEquals(reference, copy(buffer, 0, length), "append style shift " + shift);
        }
    }

    @Test
    void shouldResetProducerAndRecordsWhenWrappedAgain()
    {
        final List<TestRecord> first = randomRecords(new Random(1), 10, T0);
        final List<TestRecord> second = randomRecords(new Random(2), 3, T0 + 99);
        final Region one = BufferKind.DIRECT.allocate(expectedBatchLength(first));
        final Region two = BufferKind.HEAP_AT_OFFSET.allocate(expectedBatchLength(second));
        final Producer producer = new Producer(77, (short)3, 1000);

        build(builder, one.buffer(), one.offset(), one.capacity(), producer, first);
        assertEquals(
            expectedBatchLength(second),
            build(builder, two.buffer(), two.offset(), two.capacity(), Producer.NONE, second));

        assertEquals(
            expectedBatchLength(second), verify(two.buffer(), two.offset(), two.capacity(), Integer.MAX_VALUE));
        assertViewReads(two.buffer(), two.offset(), 0, -1, Producer.NONE, second);
        assertViewReads(one.buffer(), one.offset(), 0, -1, producer, first);
    }

    @Test
    void shouldReadEveryBatchWhenOneViewIsReusedAndHeadersAreSkipped()
    {
        final Random random = new Random(31);
        final RecordBatchView view = new RecordBatchView();
        final List<List<TestRecord>> batches = new ArrayList<>();
        final List<UnsafeBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final List<TestRecord> records = randomRecords(random, 1 + random.nextInt(20), T0 + i);
            batches.add(records);
            buffers.add(RecordBatchFixtures.buildStandalone(Producer.NONE, records));
        }

        for (int i = 0; i < batches.size(); i++)
        {
            final List<TestRecord> records = batches.get(i);
            view.wrap(buffers.get(i), 0);
            for (int r = 0; r < records.size(); r++)
            {
                assertTrue(view.nextRecord());
                final TestRecord record = records.get(r);
                // Read at most one header: the key and value must not depend on the header cursor.
                if (view.nextHeader())
                {
                    assertArrayEquals(record.headers().get(0).key(), RecordBatchFixtures.contents(view.headerKey()));
                }
                assertArrayEquals(record.value() == null ? new byte[0] : record.value(),
                    RecordBatchFixtures.contents(view.value()));
                assertEquals(r, view.offset());
            }
            assertFalse(view.nextRecord());
        }
    }

    @Test
    void shouldTrackLengthAndRecordCountWhenAppending()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        builder.wrap(buffer, 0, 1024);
        assertEquals(0, builder.recordCount());
        assertEquals(RecordBatchFixtures.HEADER_LENGTH, builder.length());

        assertTrue(builder.append(T0, bytes("ab"), bytes("cde")));
        assertEquals(1, builder.recordCount());
        assertEquals(72 + 9 + 4 + 4 + 2 + 4 + 3, builder.length());

        assertTrue(builder.beginRecord(T0));
        assertEquals(1, builder.recordCount(), "an open record is not counted");
        assertEquals(98 + 9 + 4, builder.length());
        assertTrue(builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        assertEquals(98 + 9 + 4 + 8, builder.length());
        assertTrue(builder.endRecord(null, 0, 0, null, 0, 0));
        assertEquals(2, builder.recordCount());
        assertEquals(98 + 9 + 4 + 8 + 8, builder.length());
        assertEquals(builder.length(), builder.build());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Capacity
    // ---------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldAppendWhenRecordFitsExactly(final BufferKind kind)
    {
        final List<TestRecord> records = randomRecords(new Random(5), 12, T0);
        final Region region = kind.allocate(expectedBatchLength(records));

        assertEquals(region.capacity(),
            build(builder, region.buffer(), region.offset(), region.capacity(), Producer.NONE, records));

        assertEquals(region.capacity(), verify(region.buffer(), region.offset(), region.capacity(), region.capacity()));
        region.assertSurroundingsUntouched();
        assertViewReads(region.buffer(), region.offset(), 0, -1, Producer.NONE, records);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRefuseAppendAndKeepBatchWhenRecordDoesNotFit(final BufferKind kind)
    {
        final List<TestRecord> kept = randomRecords(new Random(8), 3, T0);
        final TestRecord tooBig = new TestRecord(T0 + 5, bytes("key"), new byte[100],
            List.of(new TestHeader(bytes("h"), bytes("v"))));
        final TestRecord tooBigWithoutHeaders = TestRecord.of(T0 + 5, bytes("key"), new byte[100]);
        final int capacity = expectedBatchLength(kept) + tooBigWithoutHeaders.encodedLength() - 1;
        final Region region = kind.allocate(capacity);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        for (int i = 0; i < kept.size(); i++)
        {
            assertTrue(RecordBatchFixtures.appendRecord(builder, kept.get(i), i));
        }
        final int lengthBefore = builder.length();

        for (int style = 0; style < 3; style++)
        {
            assertFalse(RecordBatchFixtures.appendRecord(builder, tooBigWithoutHeaders, style), "style " + style);
            assertFalse(RecordBatchFixtures.appendRecord(builder, tooBig, style), "style " + style);
            assertEquals(kept.size(), builder.recordCount());
            assertEquals(lengthBefore, builder.length());
        }

        final int length = builder.build();
        assertEquals(expectedBatchLength(kept), length);
        region.assertSurroundingsUntouched();
        assertBatchEquals(region, kept, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldAppendAgainWhenASmallerRecordFitsAfterARefusal(final BufferKind kind)
    {
        final List<TestRecord> records = new ArrayList<>(randomRecords(new Random(9), 2, T0));
        final TestRecord small = TestRecord.of(T0 + 1, bytes("s"), bytes("mall"));
        final Region region = kind.allocate(expectedBatchLength(records) + small.encodedLength());

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        for (int i = 0; i < records.size(); i++)
        {
            assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(i), i));
        }
        assertFalse(builder.append(T0 + 1, bytes("s"), bytes("mall, one byte too many")));
        assertTrue(builder.append(T0 + 1, bytes("s"), bytes("mall")));
        assertFalse(builder.append(T0 + 1, null, null), "full: not even an empty record fits");
        records.add(small);

        assertEquals(region.capacity(), builder.build());
        region.assertSurroundingsUntouched();
        assertBatchEquals(region, records, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRefuseBeginRecordWhenARecordHeaderDoesNotFit(final BufferKind kind)
    {
        final List<TestRecord> records = List.of(TestRecord.of(T0, bytes("k"), bytes("v")));
        final Region region = kind.allocate(expectedBatchLength(records) + 12);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(builder.append(T0, bytes("k"), bytes("v")));
        assertFalse(builder.beginRecord(T0), "12 bytes left: a record needs 13 before its key and value");
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0),
            "a refused beginRecord opens no record");

        assertEquals(expectedBatchLength(records), builder.build());
        region.assertSurroundingsUntouched();
        assertBatchEquals(region, records, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldAbandonRecordWhenEndRecordDoesNotFit(final BufferKind kind)
    {
        final List<TestRecord> records = List.of(TestRecord.of(T0, bytes("k"), bytes("v")));
        // 13 bytes for the record header, 7 of the 8 needed for the key and value lengths
        final Region region = kind.allocate(expectedBatchLength(records) + 20);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(builder.append(T0, bytes("k"), bytes("v")));
        final int lengthBefore = builder.length();
        assertTrue(builder.beginRecord(T0 + 1000));
        assertFalse(builder.endRecord(null, 0, 0, null, 0, 0));
        assertEquals(1, builder.recordCount());
        assertEquals(lengthBefore, builder.length());
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0),
            "the abandoned record is closed");

        assertEquals(lengthBefore, builder.build());
        region.assertSurroundingsUntouched();
        assertBatchEquals(region, records, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldAbandonRecordWhenHeaderDoesNotFit(final BufferKind kind)
    {
        final List<TestRecord> records = List.of(
            new TestRecord(T0, bytes("k"), bytes("v"), List.of(new TestHeader(bytes("a"), bytes("b")))),
            TestRecord.of(T0 + 2, null, bytes("after")));
        final Region region = kind.allocate(expectedBatchLength(records) + 40);
        final DirectBuffer big = new UnsafeBuffer(new byte[64]);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(0), 0));
        final int lengthBefore = builder.length();

        assertTrue(builder.beginRecord(T0 + 1));
        assertTrue(builder.header(big, 0, 3, big, 0, 4));
        assertFalse(builder.header(big, 0, 10, big, 0, 64));
        assertEquals(lengthBefore, builder.length());
        assertEquals(1, builder.recordCount());
        assertThrows(IllegalStateException.class, () -> builder.header(big, 0, 1, big, 0, 1));
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0));

        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(1), 0));
        assertEquals(expectedBatchLength(records), builder.build());
        region.assertSurroundingsUntouched();
        assertBatchEquals(region, records, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldTakeFirstTimestampFromFirstKeptRecordWhenFirstBegunRecordIsAbandoned(final BufferKind kind)
    {
        final long laterFirst = T0 + 10 * TWO_TO_31;
        final List<TestRecord> records = List.of(
            TestRecord.of(laterFirst, bytes("k"), bytes("v")),
            TestRecord.of(laterFirst + Integer.MAX_VALUE, bytes("k2"), null));
        final Region region = kind.allocate(expectedBatchLength(records) + 8);
        final DirectBuffer big = new UnsafeBuffer(new byte[4096]);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(builder.beginRecord(T0));
        assertFalse(builder.header(big, 0, 4096, big, 0, 0));
        assertFalse(builder.append(T0, big, 0, 4096, null, 0, 0));
        assertEquals(0, builder.recordCount());

        for (int i = 0; i < records.size(); i++)
        {
            assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(i), i));
        }
        assertEquals(expectedBatchLength(records), builder.build());
        assertBatchEquals(region, records, Producer.NONE);
    }

    @Test
    void shouldRefuseRecordWhenBatchHoldsTheMaximumNumberOfRecords()
    {
        final int max = 65_534;
        assertEquals(max, RecordBatchDescriptor.MAX_RECORDS);
        final List<TestRecord> records = new ArrayList<>(max);
        for (int i = 0; i < max; i++)
        {
            records.add(TestRecord.of(T0 + (i % 1000), null, null));
        }
        final int length = expectedBatchLength(records);
        final Region region = BufferKind.DIRECT_AT_OFFSET.allocate(length + 10_000);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        for (int i = 0; i < max; i++)
        {
            assertTrue(builder.append(T0 + (i % 1000), null, null));
        }
        assertFalse(builder.append(T0, null, null));
        assertFalse(builder.append(T0, EMPTY, 0, 0, EMPTY, 0, 0));
        assertFalse(builder.beginRecord(T0));
        assertEquals(max, builder.recordCount());
        assertEquals(length, builder.length());

        assertEquals(length, builder.build());
        assertEquals(length, verify(region.buffer(), region.offset(), region.capacity(), Integer.MAX_VALUE));
        assertViewReads(region.buffer(), region.offset(), 0, -1, Producer.NONE, records);
        assertSbeDecodes(region.buffer(), region.offset(), 0, -1, Producer.NONE, records);
    }

    @Test
    void shouldAbandonRecordWhenItHoldsTheMaximumNumberOfHeaders()
    {
        final int max = 65_534;
        final List<TestHeader> headers = new ArrayList<>(max);
        for (int i = 0; i < max; i++)
        {
            headers.add(new TestHeader(new byte[0], new byte[0]));
        }
        final List<TestRecord> records = List.of(new TestRecord(T0, bytes("k"), bytes("v"), headers));
        final int length = expectedBatchLength(records);
        final Region region = BufferKind.DIRECT.allocate(2 * length);

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(0), 0), "65534 headers fit");
        assertTrue(builder.beginRecord(T0));
        for (int i = 0; i < max; i++)
        {
            assertTrue(builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        }
        assertFalse(builder.header(EMPTY, 0, 0, EMPTY, 0, 0), "header 65535 does not fit the uint16 count");
        assertEquals(1, builder.recordCount());
        assertEquals(length, builder.length());

        assertEquals(length, builder.build());
        assertBatchEquals(region, records, Producer.NONE);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldNotWriteOutsideCapacityWhenFilledToRefusal(final BufferKind kind)
    {
        final Random random = new Random(13);
        for (int capacity = RecordBatchDescriptor.MIN_BATCH_LENGTH; capacity < 400; capacity += 7)
        {
            final Region region = kind.allocate(capacity);
            builder.wrap(region.buffer(), region.offset(), region.capacity());
            int appended = 0;
            int refusals = 0;
            while (refusals < 20)
            {
                final TestRecord record = randomRecords(random, 1, T0).get(0);
                if (RecordBatchFixtures.appendRecord(builder, record, random.nextInt(3)))
                {
                    appended++;
                }
                else
                {
                    refusals++;
                }
                assertTrue(builder.length() <= capacity);
            }
            if (appended > 0)
            {
                final int length = builder.build();
                assertEquals(length, verify(region.buffer(), region.offset(), region.capacity(), capacity));
            }
            region.assertSurroundingsUntouched();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Timestamps
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldThrowWhenTimestampIsTwoToTheThirtyOneAfterFirst()
    {
        builder.wrap(new UnsafeBuffer(new byte[1024]), 0, 1024);
        assertTrue(builder.append(T0, null, null));

        assertThrows(IllegalArgumentException.class, () -> builder.append(T0 + TWO_TO_31, null, null));
        assertThrows(IllegalArgumentException.class, () -> builder.beginRecord(T0 + TWO_TO_31));
        assertThrows(IllegalArgumentException.class, () -> builder.beginRecord(Long.MAX_VALUE / 2));
        assertEquals(1, builder.recordCount());
    }

    @Test
    void shouldTellWhetherATimestampFitsTheBatch()
    {
        builder.wrap(new UnsafeBuffer(new byte[1024]), 0, 1024);
        assertTrue(builder.fitsTimestamp(Long.MIN_VALUE), "an empty batch takes any timestamp");
        assertTrue(builder.append(T0, null, null));

        assertTrue(builder.fitsTimestamp(T0 + TWO_TO_31 - 1));
        assertTrue(builder.fitsTimestamp(T0 - TWO_TO_31));
        assertFalse(builder.fitsTimestamp(T0 + TWO_TO_31));
        assertFalse(builder.fitsTimestamp(T0 - TWO_TO_31 - 1));
        assertFalse(builder.fitsTimestamp(0));
        assertFalse(builder.fitsTimestamp(Long.MIN_VALUE));
        assertEquals(1, builder.recordCount());
    }

    @Test
    void shouldThrowWhenTimestampDifferenceOverflowsALong()
    {
        builder.wrap(new UnsafeBuffer(new byte[1024]), 0, 1024);
        assertTrue(builder.append(Long.MIN_VALUE, null, null));

        assertThrows(IllegalArgumentException.class, () -> builder.append(Long.MAX_VALUE, null, null));
        assertEquals(1, builder.recordCount());
    }

    @Test
    void shouldThrowWhenTimestampIsMoreThanTwoToTheThirtyOneBeforeFirst()
    {
        builder.wrap(new UnsafeBuffer(new byte[1024]), 0, 1024);
        assertTrue(builder.append(T0, null, null));

        assertThrows(IllegalArgumentException.class, () -> builder.append(T0 - TWO_TO_31 - 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> builder.beginRecord(T0 - TWO_TO_31 - 1));
        assertThrows(IllegalArgumentException.class, () -> builder.beginRecord(0));
        assertEquals(1, builder.recordCount());
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldStayUsableWhenATimestampIsRejected(final BufferKind kind)
    {
        final List<TestRecord> records = List.of(
            TestRecord.of(T0, bytes("a"), bytes("1")),
            TestRecord.of(T0 + TWO_TO_31 - 1, bytes("b"), bytes("2")),
            TestRecord.of(T0 - TWO_TO_31, bytes("c"), bytes("3")));
        final Region region = kind.allocate(expectedBatchLength(records));

        builder.wrap(region.buffer(), region.offset(), region.capacity());
        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(0), 0));
        assertThrows(IllegalArgumentException.class, () -> builder.append(T0 + TWO_TO_31, bytes("x"), bytes("y")));
        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(1), 1));
        assertThrows(IllegalArgumentException.class, () -> builder.beginRecord(T0 - TWO_TO_31 - 1));
        assertTrue(RecordBatchFixtures.appendRecord(builder, records.get(2), 2));

        assertEquals(region.capacity(), builder.build());
        assertBatchEquals(region, records, Producer.NONE);
    }

    @Test
    void shouldAcceptAnyTimestampWhenItIsTheFirstRecord()
    {
        for (final long timestamp : new long[]{ Long.MIN_VALUE, -1, 0, Long.MAX_VALUE })
        {
            final List<TestRecord> records = List.of(TestRecord.of(timestamp, null, bytes("v")));
            final Region region = BufferKind.HEAP_AT_OFFSET.allocate(expectedBatchLength(records));
            build(builder, region.buffer(), region.offset(), region.capacity(), Producer.NONE, records);
            assertBatchEquals(region, records, Producer.NONE);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Misuse
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldThrowWhenBuildingABatchWithoutRecords()
    {
        builder.wrap(new UnsafeBuffer(new byte[256]), 0, 256);
        assertThrows(IllegalStateException.class, builder::build);
    }

    @Test
    void shouldThrowWhenBuildingABatchWhoseOnlyRecordWasAbandoned()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        builder.wrap(buffer, 0, 100);
        assertFalse(builder.append(T0, new byte[10], null));
        assertThrows(IllegalStateException.class, builder::build);
    }

    @Test
    void shouldThrowWhenUsedBeforeWrap()
    {
        assertThrows(IllegalStateException.class, () -> builder.append(T0, null, null));
        assertThrows(IllegalStateException.class, () -> builder.beginRecord(T0));
        assertThrows(IllegalStateException.class, () -> builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0));
        assertThrows(IllegalStateException.class, builder::build);
    }

    @Test
    void shouldThrowWhenUsedAfterBuildUntilWrappedAgain()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        builder.wrap(buffer, 0, 256);
        assertTrue(builder.append(T0, null, null));
        final int length = builder.build();
        final byte[] built = copy(buffer, 0, length);

        assertThrows(IllegalStateException.class, () -> builder.append(T0, null, null));
        assertThrows(IllegalStateException.class, () -> builder.beginRecord(T0));
        assertThrows(IllegalStateException.class, builder::build);
        assertArrayEquals(built, copy(buffer, 0, length));

        builder.wrap(buffer, 0, 256);
        assertTrue(builder.append(T0, null, null));
        assertEquals(length, builder.build());
    }

    @Test
    void shouldThrowWhenHeaderOrEndRecordIsCalledWithoutBeginRecord()
    {
        builder.wrap(new UnsafeBuffer(new byte[256]), 0, 256);
        assertThrows(IllegalStateException.class, () -> builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0));

        assertTrue(builder.beginRecord(T0));
        assertTrue(builder.endRecord(null, 0, 0, null, 0, 0));
        assertThrows(IllegalStateException.class, () -> builder.endRecord(null, 0, 0, null, 0, 0));
        assertThrows(IllegalStateException.class, () -> builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        assertEquals(1, builder.recordCount());
    }

    @Test
    void shouldThrowWhenARecordIsOpen()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        builder.wrap(buffer, 0, 256);
        assertTrue(builder.beginRecord(T0));

        assertThrows(IllegalStateException.class, () -> builder.beginRecord(T0));
        assertThrows(IllegalStateException.class, () -> builder.append(T0, null, null));
        assertThrows(IllegalStateException.class, () -> builder.append(T0, EMPTY, 0, 0, EMPTY, 0, 0));
        assertThrows(IllegalStateException.class, builder::build);

        assertTrue(builder.header(EMPTY, 0, 0, EMPTY, 0, 0));
        assertTrue(builder.endRecord(EMPTY, 0, 0, null, 0, 0));
        final int length = builder.build();
        assertEquals(length, verify(buffer, 0, 256, 256));
    }

    @Test
    void shouldThrowWhenKeyOrValueLengthIsNegative()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);

        assertThrows(IllegalArgumentException.class,
            () -> new RecordBatchBuilder().wrap(new UnsafeBuffer(new byte[256]), 0, 256)
                .append(T0, source, 0, -1, source, 0, 1));
        assertThrows(IllegalArgumentException.class,
            () -> new RecordBatchBuilder().wrap(new UnsafeBuffer(new byte[256]), 0, 256)
                .append(T0, source, 0, 1, source, 0, -1));

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        builder.wrap(buffer, 0, 256);
        assertTrue(builder.beginRecord(T0));
        assertThrows(IllegalArgumentException.class, () -> builder.header(source, 0, -1, source, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> builder.header(source, 0, 0, source, 0, -8));
        assertThrows(IllegalArgumentException.class, () -> builder.endRecord(source, 0, -1, null, 0, 0));

        // The record begun by the caller stays open and intact after a rejected argument.
        assertTrue(builder.header(source, 0, 2, source, 2, 3));
        assertTrue(builder.endRecord(null, 0, 0, source, 0, 8));
        final int length = builder.build();
        assertEquals(length, verify(buffer, 0, 256, 256));
    }

    /**
     * A rejected append (bad argument) leaves the builder as it was, like a refused one: no record left open.
     */
    @Test
    void shouldLeaveBuilderUsableWhenAppendRejectsANegativeLength()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        builder.wrap(buffer, 0, 256);
        assertTrue(builder.append(T0, bytes("k"), bytes("v")));
        final int lengthBefore = builder.length();

        assertThrows(IllegalArgumentException.class, () -> builder.append(T0, source, 0, -1, source, 0, 1));

        assertEquals(lengthBefore, builder.length(), "no record left open by the rejected append");
        assertTrue(builder.append(T0 + 1, bytes("k2"), bytes("v2")));
        assertEquals(expectedBatchLength(List.of(
            TestRecord.of(T0, bytes("k"), bytes("v")), TestRecord.of(T0 + 1, bytes("k2"), bytes("v2")))),
            builder.build());
    }

    /** An append whose key range lies outside the key buffer leaves no record open. */
    @Test
    void shouldLeaveBuilderUsableWhenAppendKeyRangeIsOutsideItsBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        builder.wrap(buffer, 0, 256);
        assertTrue(builder.append(T0, bytes("k"), bytes("v")));

        assertThrows(IndexOutOfBoundsException.class, () -> builder.append(T0, source, 4, 16, null, 0, 0));

        // the builder still accepts records after the rejected append
        assertTrue(builder.append(T0 + 1, bytes("k2"), bytes("v2")));
        final int length = builder.build();
        assertEquals(length, verify(buffer, 0, 256, 256));
        final RecordBatchView view = new RecordBatchView().wrap(buffer, 0);
        assertEquals(2, view.recordCount());
    }

    @Test
    void shouldThrowWhenCapacityCannotHoldTheSmallestBatch()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        assertThrows(IllegalArgumentException.class,
            () -> builder.wrap(buffer, 0, RecordBatchDescriptor.MIN_BATCH_LENGTH - 1));

        builder.wrap(buffer, 0, RecordBatchDescriptor.MIN_BATCH_LENGTH);
        assertTrue(builder.append(T0, null, null));
        assertEquals(RecordBatchDescriptor.MIN_BATCH_LENGTH, builder.build());
    }

    @Test
    void shouldThrowWhenCapacityRunsPastTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        assertThrows(IndexOutOfBoundsException.class, () -> builder.wrap(buffer, 100, 157));
        assertThrows(IndexOutOfBoundsException.class, () -> builder.wrap(buffer, -1, 200));
        builder.wrap(buffer, 100, 156);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // assignOffsets
    // ---------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldKeepCrcValidWhenOffsetsAreAssigned(final BufferKind kind)
    {
        final List<TestRecord> records = randomRecords(new Random(17), 20, T0);
        final Producer producer = new Producer(12, (short)1, 40);
        final int length = expectedBatchLength(records);
        final Region region = kind.allocate(length);
        build(builder, region.buffer(), region.offset(), region.capacity(), producer, records);
        final byte[] before = copy(region.buffer(), region.offset(), length);
        final int crc = new RecordBatchView().wrap(region.buffer(), region.offset()).crc();

        for (final long baseOffset : new long[]{ 1, 1_000_000_007L, Long.MAX_VALUE - 19, 0 })
        {
            final int leaderEpoch = (int)(baseOffset % 1000) + 1;
            RecordBatchDescriptor.assignOffsets(region.buffer(), region.offset(), baseOffset, leaderEpoch);

            assertEquals(length, verify(region.buffer(), region.offset(), length, length));
            assertEquals(baseOffset, RecordBatchDescriptor.baseOffset(region.buffer(), region.offset()));
            final RecordBatchView view = new RecordBatchView().wrap(region.buffer(), region.offset());
            assertEquals(crc, view.crc());
            assertEquals(leaderEpoch, view.leaderEpoch());
            assertViewReads(region.buffer(), region.offset(), baseOffset, leaderEpoch, producer, records);
            assertSbeDecodes(region.buffer(), region.offset(), baseOffset, leaderEpoch, producer, records);

            final byte[] after = copy(region.buffer(), region.offset(), length);
            for (int i = 0; i < length; i++)
            {
                if ((i < 8 || i >= 16) && (i < 20 || i >= 24))
                {
                    assertEquals(before[i], after[i], "assignOffsets changed byte " + i);
                }
            }
            region.assertSurroundingsUntouched();
        }
    }

    @Test
    void shouldReadDescriptorAccessorsWhenBatchIsBuilt()
    {
        final List<TestRecord> records = List.of(
            TestRecord.of(T0 + 5, null, null), TestRecord.of(T0 + 50, null, null), TestRecord.of(T0, null, null));
        final UnsafeBuffer buffer = RecordBatchFixtures.buildStandalone(Producer.NONE, records);

        assertEquals(expectedBatchLength(records), RecordBatchDescriptor.batchLength(buffer, 0));
        assertEquals(0, RecordBatchDescriptor.baseOffset(buffer, 0));
        assertEquals(2, RecordBatchDescriptor.lastOffsetDelta(buffer, 0));
        assertEquals(3, RecordBatchDescriptor.recordCount(buffer, 0));
        assertEquals(T0 + 50, RecordBatchDescriptor.maxTimestamp(buffer, 0));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void assertRoundTrip(final BufferKind kind, final Producer producer, final List<TestRecord> records)
    {
        final int length = expectedBatchLength(records);
        final Region region = kind.allocate(length + 64);

        assertEquals(length, build(builder, region.buffer(), region.offset(), region.capacity(), producer, records));
        region.assertSurroundingsUntouched();
        assertEquals(length, verify(region.buffer(), region.offset(), region.capacity(), Integer.MAX_VALUE));
        assertEquals(length, verify(region.buffer(), region.offset(), length, length));
        assertBatchEquals(region, records, producer);
    }

    /** Verify, read with the view and the SBE decoder, and compare byte for byte with the reference encoding. */
    private static void assertBatchEquals(final Region region, final List<TestRecord> records, final Producer producer)
    {
        final int length = expectedBatchLength(records);
        assertEquals(length, verify(region.buffer(), region.offset(), length, Integer.MAX_VALUE));
        assertViewReads(region.buffer(), region.offset(), 0, -1, producer, records);
        assertSbeDecodes(region.buffer(), region.offset(), 0, -1, producer, records);

        final UnsafeBuffer reference = new UnsafeBuffer(ByteBuffer.allocate(length));
        assertEquals(length, encodeWithSbe(reference, 0, producer, records));
        assertArrayEquals(copy(reference, 0, length), copy(region.buffer(), region.offset(), length));
    }
}
