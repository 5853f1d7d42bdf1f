/**
 * A small built-in list of the passwords people pick most often (from public breach
 * top-lists), restricted to the ones long enough to pass the 10-character minimum: shorter
 * ones are refused by length already. Compared case-insensitively.
 */
const LIST = `
0123456789 01234567890 0987654321 1111111111 1122334455 11223344556677 1212121212 123123123123
1234512345 123456123456 1234554321 1234567890 1234567890a 1234567890q 1234567890qwerty 1234567891
12345678910 123456789a 123456789q 1234qwerty 1234qwer1234 12qwaszx12 1q2w3e4r5t 1q2w3e4r5t6y
1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i9o0p 1qaz2wsx3edc 1qazxsw23edc 9876543210 987654321a
a123456789 a1234567890 aa12345678 aa123456789 abc1234567 abcd123456 abcdefghij abcdefghijk
admin12345 admin123456 administrator alexander1 arsenal123 asdf123456 asdfasdfasdf asdfghjkl1
asdfghjkl123 atrium1234 atrium12345 atriumatrium baseball123 basketball basketball1 butterfly1
changeme123 chelsea123 cheesecake chocolate1 christopher computer123 dragon1234 elizabeth1
football123 fuckyou123 hello12345 helloworld helloworld1 iloveyou12 iloveyou123 iloveyou1234
iloveyoubaby internet123 jennifer123 letmein123 letmeinplease liverpool1 manchester master1234
michael123 monkey1234 mypassword mypassword1 p@ssw0rd123 p@ssword123 passw0rd123 password!
password1! password12 password123 password123! password1234 password12345 passwordpassword
pokemon123 princess123 q1w2e3r4t5 q1w2e3r4t5y6 qazwsxedcrfv qwerty123! qwerty1234 qwerty12345
qwerty123456 qwerty1234567890 qwertyqwerty qwertyuiop qwertyuiop123 samsung123 shadow1234
spiderman1 starwars123 strawberry sunshine123 superman123 trustno1234 unknown123 welcome123
welcome1234 whatever123 zaq12wsxcde3 zxcvbnm123 zxcvbnmasdfghjkl
`;

const COMMON = new Set(LIST.split(/\s+/).filter(Boolean));

export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}
