package io.sluice.engine;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A small text file replaced atomically: written to a temporary file, forced, renamed over the old one, and the
 * directory forced, so a crash leaves either the old or the new content, never a mix.
 */
final class CheckpointFile
{
    private CheckpointFile()
    {
    }

    static void write(final File file, final List<String> lines)
    {
        final File tmp = new File(file.getPath() + ".tmp");
        try
        {
            final byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(
                tmp.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(file.getParentFile());
        }
        catch (final IOException ex)
        {
            throw new LogStorageException(
                (LogStorageException.isDiskFull(ex) ? "device full writing " : "cannot write ") + file, ex);
        }
    }

    static List<String> read(final File file)
    {
        try
        {
            return Files.readAllLines(file.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new LogStorageException("cannot read " + file, ex);
        }
    }

    static void forceDirectory(final File directory)
    {
        try (FileChannel channel = FileChannel.open(directory.toPath(), StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ignore)
        {
            // some file systems refuse to open or force a directory; the rename is still atomic there
        }
    }
}
