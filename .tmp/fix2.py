import re,sys
for p in sys.argv[1:]:
    s=open(p).read(); o=s
    def f(m):
        inner=m.group(2)
        inner=re.sub(r'\.into\(\)','',inner) if re.fullmatch(r'(\s*("[^"]*"|[A-Z_]+|[a-z_.]+)\.into\(\)\s*,?)+',inner) else inner
        return f'.with_{m.group(1)}([{inner}])'
    s=re.sub(r'\.with_(issuers|audiences|audience|required_claims)\((?:vec!)?\[([^\[\]]*)\]\)',f,s)
    s=re.sub(r'\.with_(subject|issuer|typ)\(("[^"]*"|[A-Za-z_.]+)\.into\(\)\)',r'.with_\1(\2)',s)
    s=re.sub(r'JwtVerifierOptions::new\(vec!\[','JwtVerifierOptions::new([',s)
    if s!=o: open(p,'w').write(s); print(p)
