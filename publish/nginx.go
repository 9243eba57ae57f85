package publish

// NginxSite is the nginx server block for a web root that Publish manages
// at /srv/kjjr/www (the README quotes it; the nginx test starts it, with
// its listen address and root changed). It serves WEBROOT/current, sends
// the headers of kjjr serve (nosniff, site.ContentSecurityPolicy, no
// referrer), has pages revalidated on every visit and assets, named by
// a hash of their bytes, cached for good (immutable).
const NginxSite = `server {
    listen 80;
    listen [::]:80;
    server_name _;
    # kjjr publish switches this symlink to a new release atomically;
    # nginx resolves it on every request (keep open_file_cache off).
    root /srv/kjjr/www/current;
    index index.html;
    charset utf-8;
    error_page 404 /404.html;

    # Pages, feeds and data: revalidated on every visit (ETag), since a
    # publish may change them at any time.
    location / {
        add_header X-Content-Type-Options nosniff always;
        add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'" always;
        add_header Referrer-Policy no-referrer always;
        add_header Cache-Control "no-cache" always;
        try_files $uri $uri/ =404;
    }
    # Styles, scripts and images: their names carry a hash of their bytes
    # (assets/site.<hash>.css), so a browser keeps them for good; a new
    # kjjr whose assets differ names them anew, and the pages (revalidated
    # above) name the new ones. A release keeps the assets of the release
    # before it, for pages loaded just before the switch.
    location /assets/ {
        add_header X-Content-Type-Options nosniff always;
        add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'" always;
        add_header Referrer-Policy no-referrer always;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
    }
    # Nothing whose name starts with a dot is ever served.
    location ~ /\. {
        return 404;
    }
}
`
