package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The public API of a module, as text: every public class of its public packages and every
 * public or protected member, one per line, sorted. A module's test compares it with the copy
 * committed in {@code api/<module>.txt}, so a change to the API (an accidental public type, a
 * removed method) shows up in review as a diff, as Kotlin's binary-compatibility validator does.
 * After an intended change, rewrite the copy with {@code -Dapi.update=true}.
 */
public final class PublicApi {
    private PublicApi() {}

    /**
     * Fails if the API of the classes under {@code classesDir} differs from {@code expected}.
     *
     * @param classesDir the module's compiled classes (target/classes)
     * @param expected the committed dump
     * @param skipPackages package prefixes that are not API (internal ones)
     * @throws IOException if a file cannot be read
     */
    public static void check(Path classesDir, Path expected, String... skipPackages)
            throws IOException {
        List<String> actual = dump(classesDir, skipPackages);
        if (Boolean.getBoolean("api.update")) {
            Files.createDirectories(expected.getParent());
            Files.write(expected, actual, StandardCharsets.UTF_8);
            return;
        }
        List<String> committed = Files.exists(expected)
                ? Files.readAllLines(expected, StandardCharsets.UTF_8) : List.of();
        if (!committed.equals(actual)) {
            TreeSet<String> added = new TreeSet<>(actual);
            committed.forEach(added::remove);
            TreeSet<String> removed = new TreeSet<>(committed);
            actual.forEach(removed::remove);
            fail("the public API changed (" + expected + "):\n  added:\n    "
                    + String.join("\n    ", added) + "\n  removed:\n    "
                    + String.join("\n    ", removed) + "\nif intended, rewrite the file with"
                    + " -Dapi.update=true and commit it with the change");
        }
    }

    /**
     * The API lines of the classes under {@code classesDir}.
     *
     * @param classesDir compiled classes
     * @param skipPackages package prefixes to leave out
     * @return sorted lines
     * @throws IOException if the directory cannot be walked
     */
    public static List<String> dump(Path classesDir, String... skipPackages) throws IOException {
        TreeSet<String> lines = new TreeSet<>();
        for (Class<?> c : classes(classesDir, skipPackages)) {
            String owner = c.getName();
            lines.add(owner + ": " + kind(c) + supertypes(c));
            for (Field f : c.getDeclaredFields()) {
                if (api(f.getModifiers()) && !f.isSynthetic()) {
                    lines.add(owner + ": " + mods(f.getModifiers()) + f.getGenericType()
                            .getTypeName() + " " + f.getName());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (api(k.getModifiers()) && !k.isSynthetic()) {
                    lines.add(owner + ": " + signature(k));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (api(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    lines.add(owner + ": " + signature(m));
                }
            }
        }
        return new ArrayList<>(lines);
    }

    /**
     * The public classes under {@code classesDir} (every enclosing class public too), loaded
     * without initialising them.
     *
     * @param classesDir compiled classes
     * @param skipPackages package prefixes to leave out
     * @return the classes, in file order
     * @throws IOException if the directory cannot be walked
     */
    public static List<Class<?>> classes(Path classesDir, String... skipPackages)
            throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classesDir)) {
            files.filter(p -> p.toString().endsWith(".class")
                    && !p.getFileName().toString().equals("module-info.class"))
                    .forEach(p -> {
                        String rel = classesDir.relativize(p).toString();
                        names.add(rel.substring(0, rel.length() - 6).replace('/', '.'));
                    });
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            if (skip(name, skipPackages)) {
                continue;
            }
            Class<?> c;
            try {
                c = Class.forName(name, false, PublicApi.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + name + ": " + e, e);
            }
            if (isVisible(c)) {
                classes.add(c);
            }
        }
        return classes;
    }

    private static boolean skip(String name, String[] skipPackages) {
        for (String p : skipPackages) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Public, and every enclosing class public too. */
    private static boolean isVisible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean api(int mods) {
        return Modifier.isPublic(mods) || Modifier.isProtected(mods);
    }

    private static String kind(Class<?> c) {
        String k = c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum()
                ? "enum" : c.isRecord() ? "record" : "class";
        int mods = c.getModifiers() & ~Modifier.INTERFACE;
        if (c.isInterface()) {
            mods &= ~Modifier.ABSTRACT; // every interface is
        }
        return mods(mods) + k + " " + c.getSimpleName();
    }

    private static String supertypes(Class<?> c) {
        StringBuilder b = new StringBuilder();
        if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class
                && !c.isEnum() && !c.isRecord()) {
            b.append(" extends ").append(c.getGenericSuperclass().getTypeName());
        }
        if (c.getGenericInterfaces().length > 0) {
            List<String> is = new ArrayList<>();
            for (var t : c.getGenericInterfaces()) {
                is.add(t.getTypeName());
            }
            b.append(c.isInterface() ? " extends " : " implements ").append(String.join(", ", is));
        }
        return b.toString();
    }

    private static String signature(Executable e) {
        String s = e.toGenericString();
        // toGenericString names the declaring class; keep the member's own part
        return s.replace(e.getDeclaringClass().getName() + ".", "");
    }

    private static String mods(int mods) {
        String s = Modifier.toString(mods & (Modifier.PUBLIC | Modifier.PROTECTED
                | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT));
        return s.isEmpty() ? "" : s + " ";
    }
}
