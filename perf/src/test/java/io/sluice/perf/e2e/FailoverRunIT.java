package io.sluice.perf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code failover} run: two leader kills under the acks=all producer (about 40 s on 2 cores).
 */
class FailoverRunIT
{
    @TempDir
    File directory;

    @Test
    void shouldRecoverFromEachKillAndLoseNoAcknowledgedRecordWhenLeadersAreKilled() throws Exception
    {
        final File scratch = new File(directory, "scratch");
        final File results = new File(directory, "results");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final int exitCode = FailoverCommand.execute(new String[]{
            "--kills", "2", "--rate", "500", "--settle", "1s", "--segment-bytes", "16777216",
            "--results", results.getPath(), "--name", "run", "--dir", scratch.getPath() }, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, report);
        final File run = new File(results, "run");
        assertTrue(new File(run, "report.txt").isFile());
        assertTrue(new File(run, "broker-0.log").isFile());
        final JsonNode summary = new ObjectMapper().readTree(new File(run, "summary.json"));
        assertEquals(16777216, summary.get("workload").get("segmentBytes").asLong());
        assertEquals("failover", summary.get("mode").asText());
        assertEquals(FailoverCommand.SESSION_TIMEOUT_MS_DEFAULT,
            summary.get("workload").get("sessionTimeoutMs").asLong());
        final JsonNode kills = summary.get("kills");
        assertEquals(2, kills.size());
        for (final JsonNode kill : kills)
        {
            assertTrue(kill.get("firstAckMs").asDouble() > 0, kill.toString());
            assertTrue(kill.get("firstNewRecordAckMs").asDouble() >= kill.get("firstAckMs").asDouble(),
                kill.toString());
        }
        assertEquals(2, summary.get("firstNewRecordAckMs").get("count").asInt());
        final JsonNode records = summary.get("records");
        assertTrue(records.get("acknowledged").asLong() > 0, records.toString());
        assertEquals(0, records.get("lost").asLong(), records.toString());
        assertEquals(0, records.get("duplicated").asLong(), records.toString());
        assertEquals(0, records.get("outOfOrder").asLong(), records.toString());
        assertTrue(records.get("inLog").asLong() >= records.get("acknowledged").asLong(), records.toString());

        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
            "child JVMs left running");
        assertEquals(0, scratch.list().length, () -> "left behind: " + String.join(", ", scratch.list()));
    }
}
