package io.sluice.client.internal;

import io.sluice.client.Partitioning;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionerTest
{
    @Test
    void shouldKeepAKeyOnOnePartitionAndSpreadKeys()
    {
        final Partitioner partitioner = new Partitioner(Partitioning.STICKY);
        final Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 1000; i++)
        {
            final byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            final int partition = partitioner.partition("t", key, 8);
            assertEquals(partition, partitioner.partition("t", key.clone(), 8));
            assertTrue(partition >= 0 && partition < 8);
            used.add(partition);
        }
        assertEquals(8, used.size());
    }

    @Test
    void shouldStickUntilARequestIsSentOrRoundRobin()
    {
        final Partitioner sticky = new Partitioner(Partitioning.STICKY);
        assertEquals(0, sticky.partition("t", null, 3));
        assertEquals(0, sticky.partition("t", null, 3));
        sticky.onRequestSent("t", 3);
        assertEquals(1, sticky.partition("t", null, 3));
        assertEquals(0, sticky.partition("other", null, 3), "per topic");

        final Partitioner roundRobin = new Partitioner(Partitioning.ROUND_ROBIN);
        for (int i = 0; i < 7; i++)
        {
            assertEquals(i % 3, roundRobin.partition("t", null, 3));
        }
        roundRobin.onRequestSent("t", 3);
        assertEquals(1, roundRobin.partition("t", null, 3), "round robin ignores requests");
    }
}
