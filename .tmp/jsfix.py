import re,sys
for p in sys.argv[1:]:
    s=open(p).read(); o=s
    s=re.sub(r'(?<![-\w.\'"])Key\b(?![-\w])','JwtKey',s)
    s=s.replace("'Key { kid","'JwtKey { kid")
    # clock as third ctor arg -> options.clock
    s=re.sub(r'new JwtVerifier\(([^,]+), \{ ([^}]*) \}, (\w+)\)', r'new JwtVerifier(\1, { \2, clock: \3 })', s)
    def fix(m):
        seg=m.group(0)
        seg=re.sub(r'\bissuer:','issuers:',seg); seg=re.sub(r'\baudience:','audiences:',seg)
        return seg
    s=re.sub(r'new (?:Remote)?JwtVerifier\((?:[^()]|\([^()]*(?:\([^()]*\))?[^()]*\))*\)',fix,s)
    s=re.sub(r'\bset\.add\(','set.insert(',s)
    if s!=o: open(p,'w').write(s); print(p)
