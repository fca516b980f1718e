package io.sluice.perf;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories of the benchmarks. They hold gigabytes, so every one is created under one parent (the
 * {@code sluice.perf.dir} system property, else {@code java.io.tmpdir}), with a recognisable name, and deleted by
 * its owner when it finishes. Public for {@code io.sluice.perf.e2e}.
 */
public final class PerfFiles
{
    /** System property naming the parent of the scratch directories. */
    public static final String PERF_DIR_PROP_NAME = "sluice.perf.dir";

    private PerfFiles()
    {
    }

    /**
     * The parent directory of scratch directories.
     *
     * @return {@code sluice.perf.dir}, else {@code java.io.tmpdir}.
     */
    public static File parentDirectory()
    {
        return new File(System.getProperty(PERF_DIR_PROP_NAME, System.getProperty("java.io.tmpdir")));
    }

    /**
     * Create a fresh, uniquely named directory.
     *
     * @param parent of the new directory; created if missing.
     * @param prefix of its name.
     * @return the new directory.
     */
    public static File createDirectory(final File parent, final String prefix)
    {
        try
        {
            Files.createDirectories(parent.toPath());
            return Files.createTempDirectory(parent.toPath(), prefix).toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a directory under " + parent, ex);
        }
    }

    /**
     * Delete a directory and everything below it; quiet if it does not exist.
     *
     * @param directory to delete.
     * @return true if nothing is left of it.
     */
    public static boolean deleteRecursively(final File directory)
    {
        final Path root = directory.toPath();
        if (!Files.exists(root))
        {
            return true;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException | UncheckedIOException ignore)
        {
            // reported through the return value
        }
        return !Files.exists(root);
    }
}
