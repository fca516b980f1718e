package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProducerStatesTest
{
    private static final LogConfig SMALL = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.MAX_MESSAGE_BYTES, 16 * 1024)
        .with(LogConfig.PRETOUCH_BYTES, 0);

    @TempDir
    File dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();
    private PartitionLog log;

    @AfterEach
    void close()
    {
        if (null != log)
        {
            log.close();
        }
    }

    private void open()
    {
        log = PartitionLog.open("t", 0, new File(dir, "t-0"), SMALL, clock);
    }

    private long append(final long first, final int count, final long producerId, final short epoch, final int seq)
    {
        final int length = batches.idempotentBatch(first, count, producerId, epoch, seq);
        return log.append(batches.buffer, 0, length);
    }

    @Test
    void shouldAnswerARetryWithTheOriginalOffsetAndAppendItOnce()
    {
        open();
        assertEquals(0, append(0, 3, 7, (short)0, 0));
        assertEquals(3, append(3, 2, 7, (short)0, 3));
        assertEquals(0, append(0, 3, 7, (short)0, 0), "retry of the first batch");
        assertEquals(3, append(3, 2, 7, (short)0, 3), "retry of the second");
        assertEquals(5, log.logEndOffset());
        assertEquals(5, append(5, 1, 7, (short)0, 5));
        assertEquals(values(0, 6), TestBatches.readAll(log, 0));
    }

    @Test
    void shouldRefuseGapsAndOldEpochsAndKeepProducersApart()
    {
        open();
        assertEquals(0, append(0, 2, 1, (short)0, 0));
        assertEquals(PartitionLog.OUT_OF_ORDER_SEQUENCE, append(2, 1, 1, (short)0, 5), "a gap");
        assertEquals(PartitionLog.OUT_OF_ORDER_SEQUENCE, append(2, 1, 1, (short)0, 1), "overlaps, not a retry");
        assertEquals(2, append(2, 1, 2, (short)0, 100), "another producer starts where it likes");
        assertEquals(3, append(3, 1, 1, (short)1, 0), "a new epoch starts over");
        assertEquals(PartitionLog.OUT_OF_ORDER_SEQUENCE, append(4, 1, 1, (short)0, 1), "the old epoch is fenced");
        assertEquals(4, append(4, 1, -1, (short)-1, -1), "a non-idempotent batch is not checked");
        assertEquals(5, append(5, 1, -1, (short)-1, -1));
        assertEquals(6, log.logEndOffset());
    }

    @Test
    void shouldRememberTheLastFiveBatchesOfAProducer()
    {
        open();
        for (int i = 0; i < 7; i++)
        {
            assertEquals(i, append(i, 1, 9, (short)0, i));
        }
        for (int i = 2; i < 7; i++)
        {
            assertEquals(i, append(i, 1, 9, (short)0, i), "kept: batch " + i);
        }
        assertEquals(PartitionLog.OUT_OF_ORDER_SEQUENCE, append(1, 1, 9, (short)0, 1), "forgotten: too old to tell");
        assertEquals(7, log.logEndOffset());
    }

    @Test
    void shouldRebuildProducerStateWhenTheLogReopens()
    {
        open();
        for (int i = 0; i < 300; i++) // several segments
        {
            assertEquals(i * 4L, append(i * 4L, 4, 11, (short)0, i * 4));
        }
        log.close();
        open();
        assertEquals(1196, append(1196, 4, 11, (short)0, 1196), "a retry after the restart is still a duplicate");
        assertEquals(1180, append(1180, 4, 11, (short)0, 1180), "as is the fifth last batch");
        assertEquals(1200, log.logEndOffset());
        assertEquals(PartitionLog.OUT_OF_ORDER_SEQUENCE, append(1200, 1, 11, (short)0, 1201));
        assertEquals(1200, append(1200, 1, 11, (short)0, 1200));
    }

    @Test
    void shouldWrapSequencesPastIntegerMaxValue()
    {
        assertEquals(Integer.MAX_VALUE, ProducerStates.lastSequence(Integer.MAX_VALUE - 1, 2));
        assertEquals(0, ProducerStates.lastSequence(Integer.MAX_VALUE, 2));
        assertEquals(0, ProducerStates.next(Integer.MAX_VALUE));
        open();
        assertEquals(0, append(0, 2, 3, (short)0, Integer.MAX_VALUE - 1));
        assertEquals(2, append(2, 2, 3, (short)0, 0));
    }

    private static List<String> values(final long from, final long to)
    {
        return LongStream.range(from, to).mapToObj((i) -> "v-" + i).collect(Collectors.toList());
    }
}
