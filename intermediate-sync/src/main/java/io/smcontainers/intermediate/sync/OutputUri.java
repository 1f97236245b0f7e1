package io.smcontainers.intermediate.sync;

/**
 * The parts of {@code sagemaker_s3_output} that matter, split the way Python's {@code urlparse} splits them: the
 * scheme lower-cased, the network location as written, query and fragment dropped, percent-escapes kept.
 */
record OutputUri(String scheme, String netloc, String path, String query, String fragment) {

    static OutputUri parse(String url) {
        String rest = url;
        String scheme = "";
        int colon = rest.indexOf(':');
        if (colon > 0 && validScheme(rest.substring(0, colon))) {
            scheme = rest.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            rest = rest.substring(colon + 1);
        }
        String netloc = "";
        if (rest.startsWith("//")) {
            int end = rest.length();
            for (char delim : new char[] {'/', '?', '#'}) {
                int i = rest.indexOf(delim, 2);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            netloc = rest.substring(2, end);
            rest = rest.substring(end);
        }
        String fragment = "";
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        String query = "";
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        return new OutputUri(scheme, netloc, rest, query, fragment);
    }

    private static boolean validScheme(String s) {
        if (!Character.isLetter(s.charAt(0)) || s.charAt(0) > 127) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch > 127 || !(Character.isLetterOrDigit(ch) || ch == '+' || ch == '-' || ch == '.')) {
                return false;
            }
        }
        return true;
    }

    /** Python's repr of the parse result, as it appears in the toolkit's error message. */
    String pythonRepr() {
        return "ParseResult(scheme='" + scheme + "', netloc='" + netloc + "', path='" + path + "', params='', query='"
                + query + "', fragment='" + fragment + "')";
    }

    /** POSIX path join ({@code posixpath.join}): an absolute part restarts, empty parts add nothing, no doubled "/". */
    static String posixJoin(String first, String... more) {
        StringBuilder path = new StringBuilder(first);
        for (String part : more) {
            if (part.startsWith("/")) {
                path.setLength(0);
                path.append(part);
            } else if (path.length() == 0 || path.charAt(path.length() - 1) == '/') {
                path.append(part);
            } else {
                path.append('/').append(part);
            }
        }
        return path.toString();
    }
}
