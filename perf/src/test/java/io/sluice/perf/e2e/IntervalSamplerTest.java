package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntervalSamplerTest
{
    @Test
    void shouldSplitTheRecordingsIntoIntervalsThatAddUpToTheTotal() throws Exception
    {
        final Recorder first = new Recorder(E2ePhases.HIGHEST_TRACKABLE_NS, E2ePhases.SIGNIFICANT_DIGITS);
        final Recorder second = new Recorder(E2ePhases.HIGHEST_TRACKABLE_NS, E2ePhases.SIGNIFICANT_DIGITS);
        first.recordValue(999);
        final List<Histogram> intervals = new ArrayList<>();
        // An hour between samples: only the calls below take intervals.
        final IntervalSampler sampler = new IntervalSampler(
            List.of(first, second), TimeUnit.HOURS.toNanos(1), interval -> intervals.add(interval.copy()));

        sampler.start();
        first.recordValue(1_000);
        second.recordValue(2_000);
        sampler.sample();
        second.recordValue(3_000_000);
        sampler.stop();

        assertEquals(2, intervals.size());
        assertEquals(2, intervals.get(0).getTotalCount(), "both recorders, nothing from before the start");
        assertEquals(1, intervals.get(1).getTotalCount());
        assertTrue(intervals.get(1).getMaxValue() >= 3_000_000, "the slow value in the interval it came in");
        assertEquals(intervals.get(0).getEndTimeStamp(), intervals.get(1).getStartTimeStamp(), "back to back");
        assertEquals(3, sampler.total().getTotalCount());
        assertEquals(0, first.getIntervalHistogram().getTotalCount() + second.getIntervalHistogram().getTotalCount(),
            "nothing left behind in the recorders");
    }
}
