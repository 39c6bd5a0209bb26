import re,sys
KT={'EdDSA':'ED_DSA'}
def kt(a): return 'Algorithm.'+KT.get(a,a)
def sw(a): return '.'+('edDsa' if a=='EdDSA' else a.lower())
ALGS='HS256|HS384|HS512|RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|EdDSA'
def seg_fix(s, name, fn):
    out=''; i=0
    pat=re.compile(re.escape(name)+r'\(')
    while True:
        m=pat.search(s,i)
        if not m: return out+s[i:]
        b=m.end()-1; depth=0; j=b
        while True:
            c=s[j]
            if c=='(': depth+=1
            elif c==')':
                depth-=1
                if depth==0: break
            j+=1
        out+=s[i:m.start()]+name+'('+fn(s[b+1:j])+')'; i=j+1
for p in sys.argv[1:]:
    s=open(p).read(); o=s
    swift=p.endswith('.swift')
    conv=sw if swift else kt
    # algorithm string literals in algorithm positions
    s=re.sub(r'(algorithm: |\.generate\(|, )"('+ALGS+r')"(\))', lambda m: m.group(1)+conv(m.group(2))+m.group(3), s)
    s=re.sub(r'(algorithm = )"('+ALGS+r')"', lambda m: m.group(1)+conv(m.group(2)), s)
    s=re.sub(r'listOf\("('+ALGS+r')"\)', lambda m: 'listOf('+conv(m.group(1))+')', s)
    s=re.sub(r'algorithms: \[((?:"(?:'+ALGS+r')"(?:, )?)+)\]', lambda m: 'algorithms: ['+', '.join(conv(a) for a in re.findall(ALGS, m.group(1)))+']', s)
    def vfix(seg):
        seg=re.sub(r'\bissuer([:=] ?)',r'issuers\1',seg); seg=re.sub(r'\baudience([:=] ?)',r'audiences\1',seg)
        return seg
    s=seg_fix(s,'JwtVerifierOptions',vfix)
    s=re.sub(r'\bset\.add\(','set.insert(',s)
    if s!=o: open(p,'w').write(s); print(p)
