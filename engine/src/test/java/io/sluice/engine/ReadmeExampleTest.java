package io.sluice.engine;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The example of the root README, kept compiling and true.
 */
class ReadmeExampleTest
{
    @TempDir
    File temp;

    @Test
    void shouldRunTheReadmeExample()
    {
        final List<String> printed = new ArrayList<>();
        final LogManager logs = LogManager.open(new LogManager.Context().dataDirectory(new File(temp, "data")));
        final PartitionLog log = logs.createTopic("orders", 3, Map.of("segment.bytes", "67108864")).get(0);

        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, buffer.capacity());
        builder.append(System.currentTimeMillis(), "key".getBytes(UTF_8), "hello".getBytes(UTF_8));
        final long baseOffset = log.append(buffer, 0, builder.build());

        try (LogReadResult result = new LogReadResult())
        {
            if (log.read(baseOffset, 64 * 1024, result) == LogReadResult.OK)
            {
                final RecordBatchView view = new RecordBatchView().wrap(result.buffer(), 0);
                while (view.nextRecord())
                {
                    printed.add(view.offset() + " " +
                        view.value().getStringWithoutLengthUtf8(0, view.value().capacity()));
                }
            }
        }
        logs.close();

        assertEquals(0, baseOffset);
        assertEquals(List.of("0 hello"), printed);
    }
}
