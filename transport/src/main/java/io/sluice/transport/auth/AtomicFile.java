package io.sluice.transport.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Replace a small text file whole: written to a temporary file beside it, forced to the device, then renamed over it
 * (atomically where the file system can), so a reader or a crash sees the old file or the new one, never half of
 * one. For the credentials and ACL files.
 */
public final class AtomicFile
{
    private AtomicFile()
    {
    }

    /**
     * @param file      to replace.
     * @param lines     its new lines.
     * @param ownerOnly whether to make it readable and writable by its owner only (on POSIX file systems).
     * @throws UncheckedIOException naming the file if it cannot be written.
     */
    public static void write(final Path file, final List<String> lines, final boolean ownerOnly)
    {
        final Path absolute = file.toAbsolutePath();
        final Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                final ByteBuffer bytes = ByteBuffer.wrap((String.join("\n", lines) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining())
                {
                    channel.write(bytes);
                }
                channel.force(true); // the rename must not publish a file whose bytes are not on the device
            }
            if (ownerOnly)
            {
                try
                {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
                }
                catch (final UnsupportedOperationException ex)
                {
                    // Not a POSIX file system: its own permissions apply.
                }
            }
            try
            {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }
}
